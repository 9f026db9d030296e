package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The .deb and the unit under a real systemd (DESIGN.md §6, issue 4): systemd 252 boots as PID 1
 * of a PID + mount namespace on a debootstrapped Debian 12 ({@code scripts/systemd-harness}); the
 * test installs {@code target/sandlot_*_all.deb} with apt, and checks Type=notify, a dropped
 * manifest serving HTTP, adoption across {@code systemctl restart} and a package upgrade, the
 * watchdog, that stopping the service leaves sandboxes running, {@code sandlot down --all}, purge.
 *
 * <p>The root is built once into /var/cache/sandlot-test (first run: debootstrap, about a minute)
 * and booted on a throw-away overlay. The sandboxes' network is the host's network stack (the
 * namespace shares it): bridge {@value #BRIDGE}, {@value #SUBNET}; traffic goes only to the
 * sandbox this test created. {@link #cleanUp()} kills the namespace and removes the bridge, the
 * cgroups and the overlay, also after a failure. Each step needs the previous one: after a
 * failure the later steps are skipped, not failed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemdIT {
    static final String BRIDGE = "slsd0";
    static final String SUBNET = "10.217.0.0/24";
    static final String NETWORK = "slsd";
    static final Path HARNESS = Path.of("scripts/systemd-harness").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FileChannel lockChannel;
    private static FileLock lock;
    private static Path work;
    private static long systemdPid;
    private static boolean stepsOk = true;
    private static final Map<String, String> timings = new LinkedHashMap<>();

    @BeforeAll
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    static void bootSystemd() throws Exception {
        TestHost.requireHost();
        assertThat(HARNESS).isExecutable();
        // One run at a time on a host (the bridge and subnet are fixed); the kernel drops the lock
        // when this JVM dies, so a killed run never blocks the next one.
        Path cache = Files.createDirectories(Path.of("/var/cache/sandlot-test"));
        lockChannel = FileChannel.open(cache.resolve(".it.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long waitUntil = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while ((lock = lockChannel.tryLock()) == null) {
            assertThat(System.nanoTime()).as("another SystemdIT holds " + cache.resolve(".it.lock")).isLessThan(waitUntil);
            Thread.sleep(500);
        }
        // What a run killed before its cleanup left (we hold the lock: no run is active).
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(Path.of("/tmp"), "slsd-*")) {
            for (Path dir : stale) {
                if (!Files.isDirectory(dir.resolve("upper"))) {
                    continue;
                }
                new Exec(List.of(HARNESS.toString(), "cleanup", dir.toString()),
                        Map.of("SANDLOT_IT_BRIDGE", BRIDGE), Duration.ofSeconds(60)).run();
            }
        }
        long t = System.nanoTime();
        Exec prepare = host(Duration.ofMinutes(19), HARNESS.toString(), "prepare");
        assertThat(prepare.exit()).as("systemd-harness prepare: %s", prepare.out()).isZero();
        timings.put("prepare (debootstrap on first run)", seconds(t));

        work = Files.createTempDirectory(Path.of("/tmp"), "slsd-");
        t = System.nanoTime();
        Exec boot = host(Duration.ofSeconds(60), HARNESS.toString(), "boot", work.toString());
        assertThat(boot.exit()).as("systemd-harness boot: %s", boot.out()).isZero();
        systemdPid = Long.parseLong(Files.readString(work.resolve("pid")).trim());
        timings.put("boot systemd", seconds(t));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (work != null) {
                Exec cleanup = new Exec(List.of(HARNESS.toString(), "cleanup", work.toString()),
                        Map.of("SANDLOT_IT_BRIDGE", BRIDGE), Duration.ofSeconds(60)).run();
                assertThat(cleanup.exit()).as("systemd-harness cleanup: %s", cleanup.out()).isZero();
                assertThat(work).doesNotExist();
                assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(work.toString());
                assertThat(host(Duration.ofSeconds(10), "ip", "link", "show", BRIDGE).exit())
                        .as("bridge " + BRIDGE + " removed").isNotZero();
                for (Path hierarchy : cgroupHierarchies()) {
                    assertThat(hierarchy.resolve("sandlot-it-" + work.getFileName())).doesNotExist();
                }
            }
        } finally {
            System.out.println("SystemdIT timings: " + timings);
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void theDebInstallsWithAptAndStartsTheService() throws Exception {
        step(() -> {
            Path deb = findDeb();
            Files.copy(deb, inside("/tmp/" + deb.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            long t = System.nanoTime();
            Exec install = in(Duration.ofMinutes(2), "env", "DEBIAN_FRONTEND=noninteractive",
                    "apt-get", "install", "-y", "-q", "--no-install-recommends", "/tmp/" + deb.getFileName());
            timings.put("apt-get install ./sandlot.deb", seconds(t));
            assertThat(install.exit()).as(install.out()).isZero();

            assertThat(in("dpkg-query", "-W", "-f=${Status}", "sandlot").out()).isEqualTo("install ok installed");
            assertThat(Files.readString(inside("/var/lib/dpkg/info/sandlot.conffiles")))
                    .contains("/etc/sandlot/config.yaml");
            assertThat(in("stat", "-c", "%a %U", "/var/lib/sandlot").out().trim()).isEqualTo("700 root");
            assertThat(in("stat", "-c", "%a %U", "/etc/sandlot/manifests").out().trim()).isEqualTo("755 root");
            assertThat(inside("/usr/share/sandlot/sandlot.jar")).isRegularFile();
            assertThat(inside("/usr/bin/sandlot")).isExecutable();

            // The first install enables and starts it (no manifest yet: nothing to do).
            Map<String, String> unit = show("Type", "NotifyAccess", "KillMode", "Delegate", "Restart",
                    "WatchdogUSec", "UnitFileState", "ActiveState", "SubState", "StatusText");
            assertThat(unit).containsEntry("Type", "notify").containsEntry("NotifyAccess", "main")
                    .containsEntry("KillMode", "process").containsEntry("Delegate", "yes")
                    .containsEntry("Restart", "always").containsEntry("WatchdogUSec", "30s")
                    .containsEntry("UnitFileState", "enabled");
            awaitUnit(u -> "active".equals(u.get("ActiveState")), Duration.ofSeconds(60));
        });
    }

    @Test
    @Order(2)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void enableNowIsActiveOnlyAfterReady() throws Exception {
        step(() -> {
            Exec disable = in("systemctl", "disable", "--now", "sandlot");
            assertThat(disable.exit()).as(disable.out()).isZero();
            assertThat(show("ActiveState", "UnitFileState"))
                    .containsEntry("ActiveState", "inactive").containsEntry("UnitFileState", "disabled");
            configure();

            // `enable --now` waits for the start job, which for Type=notify ends at READY=1. The
            // daemon is frozen as soon as it exists: the unit must stay "activating" and the
            // command must keep waiting until it runs again and says READY=1.
            Process enable = inProcess("systemctl", "enable", "--now", "sandlot");
            long frozen;
            try {
                frozen = awaitHostPid(Duration.ofSeconds(30));
                signal("STOP", frozen);
                long t = System.nanoTime();
                try {
                    Thread.sleep(2000);
                    Map<String, String> unit = show("ActiveState", "SubState");
                    assertThat(unit).as("frozen before READY=1")
                            .containsEntry("ActiveState", "activating").containsEntry("SubState", "start");
                    assertThat(enable.isAlive()).as("systemctl enable --now still waits").isTrue();
                } finally {
                    signal("CONT", frozen);
                }
                assertThat(enable.waitFor(60, TimeUnit.SECONDS)).as("enable --now returns after READY=1").isTrue();
                timings.put("enable --now, from the daemon's exec to active (2 s of it frozen)", seconds(t));
            } finally {
                enable.destroyForcibly();
            }
            assertThat(enable.exitValue()).isZero();
            Map<String, String> unit = show("ActiveState", "SubState", "UnitFileState", "StatusText",
                    "ExecMainStartTimestampMonotonic", "ActiveEnterTimestampMonotonic");
            assertThat(unit).containsEntry("ActiveState", "active").containsEntry("SubState", "running")
                    .containsEntry("UnitFileState", "enabled");
            assertThat(unit.get("StatusText")).as("STATUS= reached systemd").startsWith("watching ");
            long readyAfterMicros = Long.parseLong(unit.get("ActiveEnterTimestampMonotonic"))
                    - Long.parseLong(unit.get("ExecMainStartTimestampMonotonic"));
            assertThat(readyAfterMicros).as("active only after the frozen daemon resumed and sent READY=1")
                    .isGreaterThan(2_000_000);
            timings.put("process start to READY=1 (incl. 2 s frozen)", String.format("%.2fs", readyAfterMicros / 1e6));
        });
    }

    @Test
    @Order(3)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aDroppedManifestComesUpAndAnswersHttp() throws Exception {
        step(() -> {
            Exec rootfs = in(Duration.ofSeconds(60), "/tmp/make-rootfs", "/srv/sandlot/rootfs/busybox");
            assertThat(rootfs.exit()).as(rootfs.out()).isZero();
            // Written under a dotfile name (ignored), then renamed in: the daemon sees it whole.
            Path staged = inside("/etc/sandlot/manifests/.hello.yaml.tmp");
            Files.writeString(staged, """
                    apiVersion: sandlot.dev/v1
                    kind: Sandbox
                    metadata:
                      name: hello
                    spec:
                      rootfs:
                        path: /srv/sandlot/rootfs/busybox
                      process:
                        args: ["/bin/httpd", "-f", "-p", "8000", "-h", "/var/www/html"]
                      networks: [%s]
                    """.formatted(NETWORK));
            long t = System.nanoTime();
            Files.move(staged, inside("/etc/sandlot/manifests/hello.yaml"), StandardCopyOption.ATOMIC_MOVE);
            JsonNode row = awaitStatus(SystemdIT::running, Duration.ofSeconds(60));
            String ip = row.get("ip").asText();
            assertThat(ip).as("an address of this test's network").startsWith("10.217.0.");
            assertThat(httpGet(ip)).isEqualTo("Hello World!\n");
            timings.put("manifest renamed in -> HTTP answer", seconds(t));
            assertThat(show("StatusText").get("StatusText")).isNotEmpty();
        });
    }

    @Test
    @Order(4)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void restartKeepsTheSandboxRunning() throws Exception {
        step(() -> {
            JsonNode before = awaitStatus(SystemdIT::running, Duration.ofSeconds(30));
            String mainPid = show("MainPID").get("MainPID");
            long t = System.nanoTime();
            Exec restart = in("systemctl", "restart", "sandlot");
            assertThat(restart.exit()).as(restart.out()).isZero();
            timings.put("systemctl restart", seconds(t));
            assertThat(show("MainPID").get("MainPID")).as("a new daemon").isNotEqualTo(mainPid);
            assertThat(show("ActiveState").get("ActiveState")).isEqualTo("active");
            // The new daemon observed the host and adopted the sandbox: same pid, same IP.
            JsonNode after = awaitStatus(r -> running(r) && r.get("pid").asLong() == before.get("pid").asLong(),
                    Duration.ofSeconds(30));
            assertThat(after.get("ip").asText()).isEqualTo(before.get("ip").asText());
            assertThat(after.get("restarts").asInt()).isEqualTo(before.get("restarts").asInt());
            assertThat(httpGet(after.get("ip").asText())).isEqualTo("Hello World!\n");
        });
    }

    @Test
    @Order(5)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void anUpgradeRestartsTheDaemonWhichAdoptsTheSandbox() throws Exception {
        step(() -> {
            JsonNode before = awaitStatus(SystemdIT::running, Duration.ofSeconds(30));
            String mainPid = show("MainPID").get("MainPID");
            // Installing over the installed version runs the upgrade path of the maintainer
            // scripts: prerm upgrade (stops nothing), postinst configure <old version> (restart).
            long t = System.nanoTime();
            Exec upgrade = in(Duration.ofMinutes(2), "dpkg", "-i", "/tmp/" + findDeb().getFileName());
            assertThat(upgrade.exit()).as(upgrade.out()).isZero();
            timings.put("dpkg -i over the installed package (restart included)", seconds(t));
            Map<String, String> unit = show("MainPID", "ActiveState");
            assertThat(unit.get("MainPID")).as("restarted by postinst").isNotEqualTo(mainPid);
            assertThat(unit.get("ActiveState")).isEqualTo("active");
            JsonNode after = awaitStatus(r -> running(r) && r.get("pid").asLong() == before.get("pid").asLong(),
                    Duration.ofSeconds(30));
            assertThat(httpGet(after.get("ip").asText())).isEqualTo("Hello World!\n");
        });
    }

    @Test
    @Order(6)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aDaemonThatStopsSendingWatchdogIsRestarted() throws Exception {
        step(() -> {
            // A short watchdog, as `systemctl edit sandlot` would write it.
            Path dropIn = inside("/etc/systemd/system/sandlot.service.d/watchdog.conf");
            Files.createDirectories(dropIn.getParent());
            Files.writeString(dropIn, "[Service]\nWatchdogSec=3\n");
            assertThat(in("systemctl", "daemon-reload").exit()).isZero();
            Exec restart = in("systemctl", "restart", "sandlot");
            assertThat(restart.exit()).as(restart.out()).isZero();
            Map<String, String> before = show("MainPID", "NRestarts", "WatchdogUSec");
            assertThat(before).containsEntry("WatchdogUSec", "3s");
            JsonNode sandbox = awaitStatus(SystemdIT::running, Duration.ofSeconds(30));

            long hung = awaitHostPid(Duration.ofSeconds(10));
            signal("STOP", hung);
            long t = System.nanoTime();
            try {
                Map<String, String> after = awaitUnit(u -> !u.get("MainPID").equals(before.get("MainPID"))
                        && !"0".equals(u.get("MainPID")) && "active".equals(u.get("ActiveState"))
                        && Integer.parseInt(u.get("NRestarts")) > Integer.parseInt(before.get("NRestarts")),
                        Duration.ofSeconds(60));
                timings.put("daemon frozen -> restarted by the watchdog, active again", seconds(t));
                assertThat(Integer.parseInt(after.get("NRestarts"))).isGreaterThanOrEqualTo(1);
            } finally {
                signal("CONT", hung);
            }
            assertThat(Path.of("/proc/" + hung)).as("the hung JVM was killed").satisfiesAnyOf(
                    p -> assertThat(p).doesNotExist(),
                    p -> assertThat(Files.readString(p.resolve("stat"))).matches("\\d+ \\(.*\\) Z .*\\s*"));
            assertThat(in("journalctl", "-u", "sandlot", "--no-pager", "-o", "cat").out())
                    .contains("Watchdog timeout");
            // Killed by the watchdog, yet the sandbox never noticed.
            JsonNode after = awaitStatus(r -> running(r) && r.get("pid").asLong() == sandbox.get("pid").asLong(),
                    Duration.ofSeconds(30));
            assertThat(httpGet(after.get("ip").asText())).isEqualTo("Hello World!\n");

            Files.delete(dropIn);
            assertThat(in("systemctl", "daemon-reload").exit()).isZero();
        });
    }

    @Test
    @Order(7)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void stopLeavesSandboxesAndDownRemovesThem() throws Exception {
        step(() -> {
            JsonNode sandbox = awaitStatus(SystemdIT::running, Duration.ofSeconds(30));
            Exec stop = in("systemctl", "stop", "sandlot");
            assertThat(stop.exit()).as(stop.out()).isZero();
            assertThat(show("ActiveState").get("ActiveState")).isEqualTo("inactive");
            // KillMode=process: stopping the service is not stopping the sandboxes.
            assertThat(httpGet(sandbox.get("ip").asText())).isEqualTo("Hello World!\n");

            // `down` takes the single-instance lock: it runs once the daemon is stopped.
            Exec down = in(Duration.ofSeconds(60), "sandlot", "down", "--all");
            assertThat(down.exit()).as(down.out()).isZero();
            assertThat(list("/run/netns")).isEmpty();
            assertThat(list("/var/lib/sandlot/sandboxes")).isEmpty();
            assertThat(in("runsc", "--root", "/run/sandlot/runsc", "list", "-quiet").out().trim()).isEmpty();
            assertThat(host(Duration.ofSeconds(10), "ip", "-o", "link", "show", "master", BRIDGE).out().trim())
                    .as("no veth left on " + BRIDGE).isEmpty();
            for (Path hierarchy : cgroupHierarchies()) {
                assertThat(hierarchy.resolve("sandlot")).satisfiesAnyOf(
                        p -> assertThat(p).doesNotExist(),
                        p -> assertThat(list(p)).noneMatch(n -> n.startsWith("sandlot-hello.")));
            }
        });
    }

    @Test
    @Order(8)
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void purgeRemovesThePackageItsConfigAndTheEmptyState() throws Exception {
        step(() -> {
            Exec purge = in(Duration.ofMinutes(2), "env", "DEBIAN_FRONTEND=noninteractive",
                    "apt-get", "purge", "-y", "-q", "sandlot");
            assertThat(purge.exit()).as(purge.out()).isZero();
            assertThat(show("LoadState", "ActiveState"))
                    .containsEntry("LoadState", "not-found").containsEntry("ActiveState", "inactive");
            assertThat(inside("/usr/bin/sandlot")).doesNotExist();
            assertThat(inside("/etc/sandlot/config.yaml")).doesNotExist();
            // No sandbox record was left (down --all ran): the state dir goes too.
            assertThat(inside("/var/lib/sandlot")).doesNotExist();
            // The admin's manifests are theirs.
            assertThat(inside("/etc/sandlot/manifests/hello.yaml")).exists();
        });
    }

    // ---- steps ---------------------------------------------------------------------------------

    interface Step {
        void run() throws Exception;
    }

    /** Runs a step only when every earlier one passed (they build on each other). */
    private static void step(Step step) throws Exception {
        assumeTrue(stepsOk, "an earlier step failed");
        stepsOk = false;
        step.run();
        stepsOk = true;
    }

    /** The CNI network (own bridge and subnet) and a config: host networking (DESIGN.md §6). */
    private static void configure() throws IOException {
        Path netd = Files.createDirectories(inside("/etc/cni/net.d"));
        Files.writeString(netd.resolve("10-" + NETWORK + ".conflist"), """
                {"cniVersion": "0.4.0", "name": "%s", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": false,
                   "ipam": {"type": "host-local", "subnet": "%s", "routes": [{"dst": "0.0.0.0/0"}]}}]}
                """.formatted(NETWORK, BRIDGE, SUBNET));
        Files.writeString(inside("/etc/sandlot/config.yaml"), """
                # SystemdIT: the kernel here needs gVisor's host networking; the metrics port of the
                # host's loopback (shared with this namespace) is left alone.
                runscFlags: ["--network=host"]
                metricsAddress: "off"
                """);
        Files.copy(Path.of("scripts/make-rootfs"), inside("/tmp/make-rootfs"), StandardCopyOption.REPLACE_EXISTING);
        inside("/tmp/make-rootfs").toFile().setExecutable(true);
    }

    private static Path findDeb() throws IOException {
        try (DirectoryStream<Path> debs = Files.newDirectoryStream(Path.of("target"), "sandlot_*_all.deb")) {
            for (Path deb : debs) {
                return deb;
            }
        }
        throw new AssertionError("no target/sandlot_*_all.deb: run `mvn package` (mvn verify does) first");
    }

    /** A path inside the booted root, seen from the host through systemd's /proc/PID/root. */
    private static Path inside(String path) {
        return Path.of("/proc/" + systemdPid + "/root" + path);
    }

    private static List<String> list(String insidePath) throws IOException {
        return list(inside(insidePath));
    }

    private static List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** `systemctl show -p ...` of sandlot.service as a map. */
    private static Map<String, String> show(String... properties) throws Exception {
        List<String> argv = new ArrayList<>(List.of("systemctl", "show", "sandlot"));
        for (String p : properties) {
            argv.add("-p");
            argv.add(p);
        }
        Exec e = in(Duration.ofSeconds(30), argv.toArray(String[]::new));
        assertThat(e.exit()).as(e.out()).isZero();
        Map<String, String> values = new LinkedHashMap<>();
        e.out().lines().filter(l -> l.contains("=")).forEach(l -> {
            int eq = l.indexOf('=');
            values.put(l.substring(0, eq), l.substring(eq + 1));
        });
        return values;
    }

    private static Map<String, String> awaitUnit(Predicate<Map<String, String>> test, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        Map<String, String> last = null;
        while (System.nanoTime() < deadline) {
            last = show("MainPID", "NRestarts", "ActiveState", "SubState");
            if (test.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("sandlot.service never got there within " + max + "; last: " + last
                + "\njournal:\n" + in(Duration.ofSeconds(30), "journalctl", "-n", "40", "--no-pager").out());
    }

    private static boolean running(JsonNode row) {
        return row != null && "Running".equals(row.path("phase").asText()) && row.path("pid").asLong() > 0;
    }

    private static JsonNode awaitStatus(Predicate<JsonNode> test, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            Exec e = in(Duration.ofSeconds(30), "sandlot", "status", "--json", "hello");
            if (e.exit() == 0) {
                JsonNode rows = JSON.readTree(e.stdout());
                last = rows.size() == 0 ? null : rows.get(0);
                if (test.test(last)) {
                    return last;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("status of hello never matched within " + max + "; last: " + last);
    }

    /**
     * The host pid of the unit's main process (the JVM: /usr/bin/sandlot exec's it), read from the
     * unit's cgroup so that it can be frozen within milliseconds of its start.
     */
    private static long awaitHostPid(Duration max) throws Exception {
        // systemd tracks units in its primary hierarchy: cgroup2 (unified or hybrid mode), else
        // name=systemd. Not name=systemd on hybrid hosts: runsc moves sandbox processes there on
        // its own, and after a restart systemd may leave the new daemon in init.scope of it.
        Path procs = cgroupHierarchies().get(0).resolve("sandlot-it-" + work.getFileName())
                .resolve("system.slice/sandlot.service/cgroup.procs");
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (procs != null && Files.exists(procs)) {
                for (String line : Files.readAllLines(procs)) {
                    String pid = line.trim();
                    // The main process: its command line is /usr/bin/sandlot's shell, then java.
                    String cmdline = readOrEmpty(Path.of("/proc/" + pid + "/cmdline"));
                    if (!pid.isEmpty() && (cmdline.contains("sandlot.jar") || cmdline.contains("/usr/bin/sandlot"))) {
                        return Long.parseLong(pid);
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new AssertionError("sandlot.service's main process did not appear in " + procs + " within " + max);
    }

    private static String readOrEmpty(Path p) {
        try {
            return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The hierarchies where systemd's cgroups are, its primary first: cgroup2, then name=systemd. */
    private static List<Path> cgroupHierarchies() {
        Path root = Path.of("/sys/fs/cgroup");
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return List.of(root);
        }
        return Stream.of("unified", "systemd").map(root::resolve).filter(Files::isDirectory).toList();
    }

    private static void signal(String signal, long pid) throws Exception {
        host(Duration.ofSeconds(10), "kill", "-" + signal, Long.toString(pid));
    }

    private static String httpGet(String ip) throws InterruptedException {
        assertThat(ip).startsWith("10.217.0.");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ip + ":8000/"))
                .timeout(Duration.ofSeconds(2)).build();
        IOException last = null;
        for (int attempt = 0; attempt < 40; attempt++) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no HTTP answer from " + ip + ":8000 after 40 attempts", last);
    }

    private static String seconds(long startNanos) {
        return String.format("%.2fs", (System.nanoTime() - startNanos) / 1e9);
    }

    // ---- processes -----------------------------------------------------------------------------

    record Exec(List<String> argv, Map<String, String> env, Duration timeout, int exit, String stdout, String stderr) {
        Exec(List<String> argv, Map<String, String> env, Duration timeout) {
            this(argv, env, timeout, -1, "", "");
        }

        String out() {
            return stdout + stderr;
        }

        /** Runs it, bounded by the timeout (then killed); output in files, so never a pipe deadlock. */
        Exec run() throws IOException, InterruptedException {
            Path out = Files.createTempFile("systemd-it-out-", ".txt");
            Path err = Files.createTempFile("systemd-it-err-", ".txt");
            try {
                ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
                pb.environment().putAll(env);
                Process p = pb.start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    throw new AssertionError(String.join(" ", argv) + " did not finish within " + timeout);
                }
                return new Exec(argv, env, timeout, p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }

    private static Exec host(Duration timeout, String... argv) throws IOException, InterruptedException {
        return new Exec(List.of(argv), Map.of(), timeout).run();
    }

    /** A command inside the booted root: its mount and pid namespace, chrooted. */
    private static Exec in(Duration timeout, String... argv) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of(HARNESS.toString(), "exec", work.toString()));
        full.addAll(List.of(argv));
        return new Exec(full, Map.of(), timeout).run();
    }

    private static Exec in(String... argv) throws IOException, InterruptedException {
        return in(Duration.ofSeconds(90), argv);
    }

    private static Process inProcess(String... argv) throws IOException {
        List<String> full = new ArrayList<>(List.of(HARNESS.toString(), "exec", work.toString()));
        full.addAll(List.of(argv));
        return new ProcessBuilder(full).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }
}
