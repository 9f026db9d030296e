package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A {@link TestHost} for fault tests (RELIABILITY.md): its network goes through the failpoint CNI
 * plugin ({@code src/test/resources/failpoint-cni/failpoint}, wrapping the real bridge and portmap),
 * runsc can go through a failpoint wrapper, decoys that sandlot must never touch are planted, and
 * {@link #leaks()} counts everything a sandbox can leave behind, more strictly than
 * {@link TestHost#counts()} (cgroups, processes, netns by name whether recorded or not).
 *
 * <p>Each fault test class gets its own slot 0..9: bridge {@code slrN}, subnet {@code 10.22N.0.0/24},
 * sandbox names starting with its own prefix, so that it never meets another test on this host.
 */
final class FaultHost implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DECOY_TOKEN = "0badc0de";

    final TestHost host;
    final int slot;
    /** Every sandbox name of this host's tests starts with it. */
    final String prefix;
    final Path bin;
    final Path failpoints;
    final Path runscFailpoints;
    final String subnet;
    private final String decoyId;
    private final List<Runnable> cleanups = new ArrayList<>();
    private boolean decoys;

    /**
     * @param slot   0..9: bridge slrN, subnet 10.(220+N).0.0/24 unless {@code prefixLength} says otherwise
     * @param prefix sandbox names of this host start with it (e.g. "rc-")
     */
    FaultHost(String tag, int slot, String prefix, int prefixLength) throws IOException, InterruptedException {
        if (slot < 0 || slot > 9) {
            throw new IllegalArgumentException("slot " + slot);
        }
        this.slot = slot;
        this.prefix = prefix;
        this.host = new TestHost(tag, "slr" + slot, 220 + slot);
        this.subnet = "10." + (220 + slot) + ".0.0/" + prefixLength;
        this.bin = Files.createDirectories(host.root.resolve("fault-bin"));
        this.failpoints = host.root.resolve("cni.failpoints");
        this.runscFailpoints = bin.resolve("runsc.failpoints");
        this.decoyId = "sandlot-zdecoy" + slot + "." + DECOY_TOKEN;
        install("failpoint");
        install("runsc");
        writeConflist();
        host.extraOptions.addAll(List.of("--cni-bin-dir", bin.toString(), "--cni-bin-dir", "/usr/lib/cni"));
        Files.writeString(failpoints, "");
    }

    FaultHost(String tag, int slot, String prefix) throws IOException, InterruptedException {
        this(tag, slot, prefix, 24);
    }

    private void install(String script) throws IOException {
        try (InputStream in = FaultHost.class.getResourceAsStream("/failpoint-cni/" + script)) {
            Objects.requireNonNull(in, "test resource failpoint-cni/" + script);
            Path target = bin.resolve(script);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    /** The network: the bridge (with ipMasq) then portmap, each wrapped by the failpoint plugin. */
    String conflist(Path failpointFile, String bridge, String subnet) {
        return """
                {"cniVersion": "0.4.0", "name": "%s", "plugins": [
                  {"type": "failpoint", "delegate": "bridge", "failpoints": "%s",
                   "bridge": "%s", "isGateway": true, "ipMasq": true,
                   "ipam": {"type": "host-local", "subnet": "%s", "routes": [{"dst": "0.0.0.0/0"}]}},
                  {"type": "failpoint", "delegate": "portmap", "failpoints": "%s",
                   "capabilities": {"portMappings": true}}]}
                """.formatted(host.network, failpointFile, bridge, subnet, failpointFile);
    }

    Path conflistFile() {
        return host.cniConfDir.resolve("10-" + host.network + ".conflist");
    }

    void writeConflist() throws IOException {
        Files.writeString(conflistFile(), conflist(failpoints, host.bridge, subnet));
    }

    /** Runs runsc through the failpoint wrapper from now on. */
    FaultHost wrapRunsc() {
        host.extraOptions.addAll(List.of("--runsc", bin.resolve("runsc").toString()));
        return this;
    }

    // ---- failpoints ---------------------------------------------------------------------------

    /** Replaces the CNI failpoint rules ("ADD error 1 *rc-x*", one per line). */
    void failCni(String rules) throws IOException {
        replace(failpoints, rules);
    }

    /** Replaces the runsc failpoint rules ("kill ignore 2", one per line). */
    void failRunsc(String rules) throws IOException {
        replace(runscFailpoints, rules);
    }

    void clearFailpoints() throws IOException {
        replace(failpoints, "");
        replace(runscFailpoints, "");
    }

    private static void replace(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(temp, content.endsWith("\n") || content.isEmpty() ? content : content + "\n");
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** One plugin call as the failpoint plugin logged it. */
    record CniCall(long nanos, String command, String id, String ifname, String delegate, String action,
            boolean netns) {
    }

    List<CniCall> cniCalls() throws IOException {
        return cniCalls(failpoints);
    }

    static List<CniCall> cniCalls(Path failpointFile) throws IOException {
        Path log = failpointFile.resolveSibling(failpointFile.getFileName() + ".log");
        if (!Files.exists(log)) {
            return List.of();
        }
        List<CniCall> calls = new ArrayList<>();
        for (String line : Files.readAllLines(log)) {
            String[] f = line.split(" ");
            if (f.length == 7) {
                calls.add(new CniCall(Long.parseLong(f[0]), f[1], f[2], f[3], f[4], f[5], f[6].equals("netns=yes")));
            }
        }
        return calls;
    }

    /** The runsc calls the wrapper logged: "subcommand id action". */
    List<String> runscCalls() throws IOException {
        Path log = runscFailpoints.resolveSibling("runsc.failpoints.log");
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().map(l -> l.substring(l.indexOf(' ') + 1)).toList();
    }

    /**
     * RELIABILITY.md item 19: never a second ADD for the same (network, id, ifname, plugin) without
     * a DEL in between. Every id is new per incarnation, so this is checked over the whole log.
     */
    void assertNoSecondAddWithoutDel() throws IOException {
        Map<String, String> last = new HashMap<>();
        for (CniCall c : cniCalls()) {
            String key = c.id() + "/" + c.ifname() + "/" + c.delegate();
            if (c.command().equals("ADD")) {
                assertThat(last.get(key)).as("a second ADD for " + key + " without DEL in between").isNotEqualTo("ADD");
            }
            last.put(key, c.command());
        }
    }

    /** Every id that got an ADD got a DEL after it (for ids no longer running). */
    void assertEveryAddOfGoneIdsWasDeleted(Predicate<String> gone) throws IOException {
        Map<String, String> last = new LinkedHashMap<>();
        for (CniCall c : cniCalls()) {
            last.put(c.id() + "/" + c.ifname() + "/" + c.delegate(), c.command());
        }
        last.forEach((key, command) -> {
            if (gone.test(key.substring(0, key.indexOf('/')))) {
                assertThat(command).as("the last CNI call for " + key).isEqualTo("DEL");
            }
        });
    }

    // ---- commands -----------------------------------------------------------------------------

    TestHost.Run sandlot(String command, String... args) {
        return host.sandlot(command, args);
    }

    /** An in-process apply that must converge. */
    TestHost.Run apply() {
        TestHost.Run run = host.sandlot("apply");
        assertThat(run.exit()).as("apply output:\n" + run.out() + run.err()).isZero();
        return run;
    }

    /** `bin/sandlot COMMAND` as a child process with extra environment, bounded; output in the result. */
    TestHost.Run child(Map<String, String> env, String command, String... args) throws IOException,
            InterruptedException {
        List<String> argv = new ArrayList<>(List.of("bin/sandlot", command));
        argv.addAll(host.options());
        argv.addAll(List.of(args));
        Path out = Files.createTempFile(host.root, "child-", ".out");
        Path err = Files.createTempFile(host.root, "child-", ".err");
        ProcessBuilder builder = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("sandlot " + command + " did not finish within 120 s: " + Files.readString(err));
        }
        return new TestHost.Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    Map<String, JsonNode> status() throws IOException {
        TestHost.Run run = host.sandlot("status", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode row : JSON.readTree(run.out())) {
            byName.put(row.get("name").asText(), row);
        }
        return byName;
    }

    JsonNode status(String name) throws IOException {
        return status().get(name);
    }

    /** Polls status (bounded) until {@code test} holds for {@code name}'s row (null when absent). */
    JsonNode awaitStatus(String name, Predicate<JsonNode> test, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            last = status(name);
            if (test.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("status of " + name + " never matched within " + millis + " ms; last: " + last);
    }

    static boolean running(JsonNode row) {
        return row != null && "Running".equals(row.get("phase").asText()) && row.get("pid").asInt() > 0;
    }

    /** A hello manifest named {@code name} (which must start with this host's prefix). */
    Path manifest(String name, String version) throws IOException {
        assertThat(name).startsWith(prefix);
        return host.writeManifest(name, version);
    }

    /** The text of a hello manifest (as {@link TestHost#writeManifest}) with more lines under spec. */
    String manifestText(String name, String version, String... specLines) {
        assertThat(name).startsWith(prefix);
        StringBuilder text = new StringBuilder("""
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata:
                  name: %s
                spec:
                  rootfs:
                    path: %s
                  process:
                    args: ["/bin/httpd", "-f", "-p", "8000", "-h", "/var/www/html"]
                    cwd: /var/www/html
                    env: {GREETING: "%s"}
                  networks: [%s]
                """.formatted(name, host.rootfs, version, host.network));
        for (String line : specLines) {
            text.append("  ").append(line).append('\n');
        }
        return text.toString();
    }

    /** Writes a manifest file with more lines under spec. */
    Path manifest(String name, String version, String... specLines) throws IOException {
        return Files.writeString(host.manifests.resolve(name + ".yaml"), manifestText(name, version, specLines));
    }

    /** The config.json runsc got for this id. */
    JsonNode bundleConfig(String id) throws IOException {
        return JSON.readTree(host.stateDir.resolve("sandboxes").resolve(id).resolve("bundle/config.json").toFile());
    }

    // ---- invariants ---------------------------------------------------------------------------

    /** What identifies a running sandbox for invariant I1: same id, pid, netns and IP. */
    record Identity(String id, int pid, String ip) {
    }

    /**
     * Each named sandbox as the host shows it, not as `status` reports it: its one running
     * container in this host's runsc root (id, pid), its netns, and the IP of its eth0 record.
     */
    Map<String, Identity> identities(String... names) throws IOException {
        JsonNode list;
        try {
            list = JSON.readTree(TestHost.sh("runsc", "--root", host.runDir.resolve("runsc").toString(), "list",
                    "--format", "json"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        Map<String, Identity> ids = new LinkedHashMap<>();
        for (String name : names) {
            List<JsonNode> running = new ArrayList<>();
            for (JsonNode c : list.isArray() ? list : JSON.createArrayNode()) {
                if (c.get("id").asText().startsWith("sandlot-" + name + ".") && "running".equals(c.path("status").asText())
                        && isRunning(c.path("pid").asInt())) {
                    running.add(c);
                }
            }
            assertThat(running).as("exactly one running container of " + name).hasSize(1);
            String id = running.get(0).get("id").asText();
            assertThat(Path.of("/run/netns", id)).as("netns of " + name).exists();
            ids.put(name, new Identity(id, running.get(0).get("pid").asInt(), ipOf(id)));
        }
        return ids;
    }

    private String ipOf(String id) throws IOException {
        try (Stream<Path> files = Files.list(host.stateDir.resolve("sandboxes").resolve(id))) {
            Path eth0 = files.filter(p -> p.getFileName().toString().startsWith("attachment-01-eth0-")).findFirst()
                    .orElseThrow(() -> new AssertionError("no eth0 record for " + id));
            String address = JSON.readTree(eth0.toFile()).get("result").get("ips").get(0).get("address").asText();
            return address.substring(0, address.indexOf('/'));
        }
    }

    static boolean isRunning(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    /** I1: each of these sandboxes still runs with the same id (so netns), pid and IP. */
    void assertUntouched(Map<String, Identity> before) throws IOException {
        Map<String, Identity> now = identities(before.keySet().toArray(String[]::new));
        assertThat(now).as("I1: other sandboxes keep their pid, netns and IP").isEqualTo(before);
    }

    /** Counts of everything a sandbox of this host can leave behind (I2), stricter than TestHost.counts. */
    /**
     * Where runsc makes each sandbox's cgroup (cgroupsPath /sandlot/ID): one folder per cgroup v1
     * hierarchy counted here, or the one cgroup v2 tree.
     */
    static final List<Path> CGROUP_PARENTS = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"))
            ? List.of(Path.of("/sys/fs/cgroup/sandlot"))
            : Stream.of("memory", "pids", "cpu").map(c -> Path.of("/sys/fs/cgroup", c, "sandlot")).toList();

    record Leaks(int netns, int leases, int records, int containers, int natRules, int veths, int cgroups,
            int processes) {
    }

    Leaks leaks() throws IOException, InterruptedException {
        String ours = "sandlot-" + prefix;
        int netns = countFiles(Path.of("/run/netns"), n -> n.startsWith(ours));
        int leases = countFiles(Path.of("/var/lib/cni/networks", host.network), n -> n.matches("[0-9.]+"));
        int records = countFiles(host.stateDir.resolve("sandboxes"), n -> true);
        String list = TestHost.sh("runsc", "--root", host.runDir.resolve("runsc").toString(), "list", "-quiet").trim();
        int containers = list.isEmpty() ? 0 : list.split("\n").length;
        int nat = (int) TestHost.sh("iptables", "-w", "5", "-t", "nat", "-S").lines()
                .filter(l -> l.contains("name: \\\"" + host.network + "\\\"") || l.contains("id: \\\"" + ours))
                .count();
        int veths = (int) TestHost.sh("ip", "-o", "link", "show", "master", host.bridge).lines()
                .filter(l -> l.matches("\\d+: .*")).count();
        int cgroups = 0;
        for (Path parent : CGROUP_PARENTS) {
            cgroups += countFiles(parent, n -> n.startsWith(ours));
        }
        return new Leaks(netns, leases, records, containers, nat, veths, cgroups, processes().size());
    }

    /** Processes whose command line names this host's root (sandboxes, gofers, hung plugins), not sandlot itself. */
    List<String> processes() throws IOException {
        String root = host.root.toString();
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String pid = p.getFileName().toString();
                if (!pid.matches("\\d+") || Long.parseLong(pid) == ProcessHandle.current().pid()) {
                    continue;
                }
                String cmdline;
                try {
                    cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    String stat = Files.readString(p.resolve("stat"));
                    if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
                        continue;
                    }
                } catch (IOException e) {
                    continue;
                }
                if (cmdline.contains(root) && !cmdline.contains("sandlot.jar")) {
                    found.add(pid + " " + cmdline.trim());
                }
            }
        }
        return found;
    }

    /** Polls (bounded) until the leaks equal {@code expected}; fails with the difference otherwise. */
    void awaitLeaks(Leaks expected, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        Leaks now = leaks();
        while (!now.equals(expected) && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            now = leaks();
        }
        assertThat(now).as("I2: resources back to baseline; processes: " + processes()).isEqualTo(expected);
    }

    /** Baseline plus {@code n} healthy sandboxes on this host's network (each with its NAT rules). */
    static Leaks plus(Leaks base, int n) {
        return new Leaks(base.netns() + n, base.leases() + n, base.records() + n, base.containers() + n,
                base.natRules() + 3 * n, base.veths() + n, base.cgroups() + CGROUP_PARENTS.size() * n,
                base.processes() + 2 * n);
    }

    private static int countFiles(Path dir, Predicate<String> name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.filter(p -> name.test(p.getFileName().toString())).count();
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** Runs after everything else of {@link #close()} (e.g. unmounting what a test mounted in the root). */
    void afterClose(Runnable cleanup) {
        cleanups.add(cleanup);
    }

    // ---- decoys (I3, item 27) -----------------------------------------------------------------

    /**
     * Plants what another runtime or sandlot instance could own, with sandlot's own prefix: a netns
     * {@code sandlot-zdecoyN.0badc0de}, a host-local lease for that id in this host's network, a NAT
     * chain with a rule whose comment names that id, and a cgroup of that id. None is recorded in this
     * host's state dir, so sandlot must leave every one alone.
     */
    FaultHost plantDecoys() throws IOException, InterruptedException {
        decoys = true;
        TestHost.sh("ip", "netns", "add", decoyId);
        cleanups.add(() -> quietly("ip", "netns", "delete", decoyId));
        Path leases = Files.createDirectories(Path.of("/var/lib/cni/networks", host.network));
        Files.writeString(leases.resolve(decoyIp()), decoyId + "\neth0");
        String chain = decoyChain();
        quietly("iptables", "-w", "5", "-t", "nat", "-N", chain);
        TestHost.sh("iptables", "-w", "5", "-t", "nat", "-A", chain, "-d", subnet, "-m", "comment", "--comment",
                "name: \"" + host.network + "\" id: \"" + decoyId + "\"", "-j", "ACCEPT");
        TestHost.sh("iptables", "-w", "5", "-t", "nat", "-A", "POSTROUTING", "-s", decoyIp() + "/32", "-m", "comment",
                "--comment", "name: \"" + host.network + "\" id: \"" + decoyId + "\"", "-j", chain);
        cleanups.add(() -> {
            quietly("iptables", "-w", "5", "-t", "nat", "-D", "POSTROUTING", "-s", decoyIp() + "/32", "-m", "comment",
                    "--comment", "name: \"" + host.network + "\" id: \"" + decoyId + "\"", "-j", chain);
            quietly("iptables", "-w", "5", "-t", "nat", "-F", chain);
            quietly("iptables", "-w", "5", "-t", "nat", "-X", chain);
        });
        Path cgroup = CGROUP_PARENTS.get(0).resolve(decoyId);
        Files.createDirectories(cgroup);
        cleanups.add(() -> quietly("rmdir", cgroup.toString(), cgroup.getParent().toString()));
        return this;
    }

    private String decoyIp() {
        return "10." + (220 + slot) + ".0." + (subnet.endsWith("/24") ? 250 : 3);
    }

    private String decoyChain() {
        return "CNI-SLDECOY" + slot;
    }

    /** I3 and item 27: every decoy is still there, untouched. */
    void assertDecoysUntouched() throws IOException, InterruptedException {
        if (!decoys) {
            return;
        }
        assertThat(Path.of("/run/netns", decoyId)).as("I3: a foreign netns named sandlot-... is kept").exists();
        assertThat(Files.readString(Path.of("/var/lib/cni/networks", host.network, decoyIp())))
                .as("I3: a foreign lease is kept").isEqualTo(decoyId + "\neth0");
        String nat = TestHost.sh("iptables", "-w", "5", "-t", "nat", "-S");
        assertThat(nat).as("I3: a foreign NAT chain and its jump are kept")
                .contains("-N " + decoyChain()).contains("-j " + decoyChain());
        assertThat(CGROUP_PARENTS.get(0).resolve(decoyId)).as("I3: a foreign cgroup is kept").exists();
    }

    private static void quietly(String... argv) {
        try {
            TestHost.sh(argv);
        } catch (IOException e) {
            // best effort cleanup
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Removes everything, even after a failed test: failpoints first (so that down --all can DEL),
     * then every sandbox, stray processes of this root, leftover NAT rules and cgroups of this
     * prefix, the decoys, and the TestHost.
     */
    @Override
    public void close() throws Exception {
        try {
            clearFailpoints();
            TestSeam.reset();
            for (String p : processes()) {
                if (p.contains("fault-bin")) {
                    quietly("kill", "-9", p.substring(0, p.indexOf(' ')));
                }
            }
        } finally {
            try {
                host.close();
            } finally {
                String ours = "sandlot-" + prefix;
                for (String l : TestHost.sh("iptables", "-w", "5", "-t", "nat", "-S").lines().toList()) {
                    java.util.regex.Matcher m = java.util.regex.Pattern
                            .compile("id: \\\\\"(" + java.util.regex.Pattern.quote(ours) + "[a-z0-9-]*\\.[0-9a-f]{8})")
                            .matcher(l);
                    if (m.find()) {
                        new dev.sandlot.host.Iptables(new dev.sandlot.host.SystemProcessRunner())
                                .removeChainsFor(m.group(1));
                    }
                }
                for (String controller : List.of("memory", "pids", "cpu", "cpuacct", "cpuset", "devices", "freezer",
                        "blkio", "hugetlb", "net_cls", "net_prio", "perf_event", "rdma", "systemd", "unified")) {
                    Path dir = Path.of("/sys/fs/cgroup", controller, "sandlot");
                    if (Files.isDirectory(dir)) {
                        try (Stream<Path> s = Files.list(dir)) {
                            s.filter(p -> p.getFileName().toString().startsWith(ours))
                                    .forEach(p -> quietly("rmdir", p.toString()));
                        }
                    }
                }
                for (Path netns : listOrEmpty(Path.of("/run/netns"))) {
                    if (netns.getFileName().toString().startsWith(ours)) {
                        quietly("ip", "netns", "delete", netns.getFileName().toString());
                    }
                }
                cleanups.forEach(Runnable::run);
            }
        }
    }

    private static List<Path> listOrEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }
}
