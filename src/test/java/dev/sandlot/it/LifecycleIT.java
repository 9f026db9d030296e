package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sandbox lifecycle features through the real daemon on real runsc, CNI and netns (issue 5). */
class LifecycleIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestHost host;

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost("lc", 217);
        host.writeConfig("""
                resyncInterval: 1s
                metricsAddress: "off"
                crashLoopBackoff: {initial: 1s, max: 4s, resetAfter: 1m}
                """);
    }

    @AfterEach
    void tearDown() throws Exception {
        host.close();
    }

    /** A manifest with this host's rootfs and network, the given process args and extra spec lines. */
    private Path manifest(String name, String args, String... specLines) throws Exception {
        StringBuilder b = new StringBuilder("""
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata:
                  name: %s
                spec:
                  rootfs:
                    path: %s
                  process:
                    args: %s
                    cwd: /var/www/html
                  networks: [%s]
                """.formatted(name, host.rootfs, args, host.network));
        for (String line : specLines) {
            b.append("  ").append(line).append('\n');
        }
        Path staged = host.root.resolve(name + ".staged");
        Files.writeString(staged, b.toString());
        Path file = host.manifests.resolve(name + ".yaml");
        Files.move(staged, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return file;
    }

    private static final String HTTPD = "[\"/bin/httpd\", \"-f\", \"-p\", \"8000\", \"-h\", \"/var/www/html\"]";

    private JsonNode status(String name) throws Exception {
        TestHost.Run run = host.sandlot("status", "--json", name);
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode rows = JSON.readTree(run.out());
        return rows.size() == 0 ? null : rows.get(0);
    }

    private JsonNode await(String name, Predicate<JsonNode> test, long millis) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        JsonNode last = null;
        while (System.currentTimeMillis() < deadline) {
            last = status(name);
            if (last != null && test.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(name + " never matched within " + millis + " ms; last status: " + last);
    }

    private static boolean running(JsonNode r) {
        return "Running".equals(r.get("phase").asText()) && r.get("pid").asInt() > 0;
    }

    @Test
    void aCrashingProcessRestartsWithGrowingDelaysAndShowsTheBackOff() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            manifest("crash", "[\"/bin/sh\", \"-c\", \"sleep 0.5; exit 3\"]");
            // (A status read between the exit and its reaping may still say "exit code unknown".)
            JsonNode backOff = await("crash", r -> "CrashLoopBackOff".equals(r.get("reason").asText())
                    && r.get("message").asText().contains("exit code 3"), 20_000);
            assertThat(backOff.get("phase").asText()).isEqualTo("Failed");
            await("crash", r -> r.get("restarts").asInt() >= 3, 30_000);
            // Gaps between restarts grow: 0 s, 1 s, 2 s, 4 s (configured initial 1s, max 4s).
            List<Instant> creations = new ArrayList<>();
            for (String line : daemon.output().split("\n")) {
                if (line.contains("created crash")) {
                    creations.add(Instant.parse(line.substring(0, 23) + "Z"));
                }
            }
            assertThat(creations).hasSizeGreaterThanOrEqualTo(4);
            long firstGap = creations.get(1).toEpochMilli() - creations.get(0).toEpochMilli();
            long laterGap = creations.get(3).toEpochMilli() - creations.get(2).toEpochMilli();
            assertThat(laterGap).as("gaps " + creations).isGreaterThan(firstGap + 700);
        }
    }

    @Test
    void aFailingHttpHealthCheckRestartsTheSandbox() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            // httpd serves for about 3 s, then stops answering while the process lives on.
            manifest("flaky", "[\"/bin/sh\", \"-c\", \"httpd -p 8000 -h /var/www/html; sleep 3; kill $(pidof httpd) ; sleep 1000\"]",
                    "healthCheck: {http: {port: 8000, path: /}, interval: 1s, timeout: 500ms, failureThreshold: 2}");
            JsonNode first = await("flaky", r -> running(r) && r.get("ready").asBoolean(), 20_000);
            JsonNode restarted = await("flaky", r -> r.get("restarts").asInt() >= 1 && running(r), 30_000);
            assertThat(restarted.get("id")).isNotEqualTo(first.get("id"));
            assertThat(daemon.output()).contains("unhealthy, stopping it");
        }
    }

    @Test
    void dependenciesStartInOrderAndTearDownInReverse() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            // back is Ready only once its health check passes, after a 3 s start period.
            manifest("back", HTTPD, "healthCheck: {tcp: {port: 8000}, interval: 1s, startPeriod: 3s}");
            manifest("front", HTTPD, "dependsOn: [back]");
            JsonNode waiting = await("front", r -> "WaitingForDependencies".equals(r.get("reason").asText()), 10_000);
            assertThat(waiting.get("phase").asText()).isEqualTo("Pending");
            assertThat(waiting.get("message").asText()).contains("back");
            await("front", LifecycleIT::running, 30_000);
            String log = daemon.output();
            assertThat(log.indexOf("created back")).isPositive().isLessThan(log.indexOf("created front"));
            assertThat(log.indexOf("[back] ready")).isPositive().isLessThan(log.indexOf("created front"));
        }
    }

    @Test
    void teardownRunsInReverseDependencyOrder() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            manifest("back", HTTPD);
            manifest("front", HTTPD, "dependsOn: [back]");
            await("front", LifecycleIT::running, 30_000);
            Files.delete(host.manifests.resolve("back.yaml"));
            Files.delete(host.manifests.resolve("front.yaml"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline && (status("front") != null || status("back") != null)) {
                Thread.sleep(100);
            }
            String log = daemon.output();
            assertThat(log.indexOf("removed front")).isPositive().isLessThan(log.indexOf("removed back"));
        }
    }

    @Test
    void aScheduleRunsToCompletionAtEachFireTimeAndKeepsItsRuns() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            manifest("job", "[\"/bin/sh\", \"-c\", \"echo ran; exit 0\"]", "schedule: \"0/3 * * * * ?\"",
                    "restartPolicy: Never");
            Thread.sleep(10_500);
            JsonNode row = status("job");
            String log = daemon.output();
            int runs = log.split("\\[job\\] scheduled run\n", -1).length - 1;
            assertThat(runs).as(log).isBetween(3, 4);
            assertThat(row.get("phase").asText()).as(row.toString()).isIn("Stopped", "Running");
            assertThat(row.get("runs").size()).isGreaterThanOrEqualTo(2);
            assertThat(row.get("runs").get(0).get("exitCode").asInt()).isZero();
        }
    }

    @Test
    void suspendStopsTheSandboxAndResumeBringsItBack() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            manifest("pause", HTTPD);
            await("pause", LifecycleIT::running, 20_000);
            manifest("pause", HTTPD, "suspend: true");
            JsonNode suspended = await("pause", r -> "Suspended".equals(r.get("reason").asText()), 20_000);
            assertThat(suspended.get("phase").asText()).isEqualTo("Stopped");
            assertThat(host.counts().runscContainers()).isZero();
            manifest("pause", HTTPD, "suspend: false");
            JsonNode resumed = await("pause", LifecycleIT::running, 20_000);
            assertThat(TestHost.httpGet(resumed.get("ip").asText())).isEqualTo("Hello World!\n");
        }
    }

    @Test
    void aStopSignalTheProcessIgnoresEndsInKillAfterTheGracePeriod() throws Exception {
        manifest("stubborn", "[\"/bin/sh\", \"-c\", \"trap '' TERM; httpd -f -p 8000 -h /var/www/html & wait\"]",
                "terminationGracePeriod: 2s");
        assertThat(host.sandlot("apply").exit()).isZero();
        Files.delete(host.manifests.resolve("stubborn.yaml"));
        long start = System.nanoTime();
        TestHost.Run run = host.sandlot("apply");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(tookMs).as("TERM ignored, KILL after the 2 s grace period").isGreaterThanOrEqualTo(2_000);
        assertThat(host.counts().runscContainers()).isZero();
    }

    @Test
    void aHostPortAnswersAndLeavesNoRuleBehind() throws Exception {
        manifest("porty", HTTPD, "ports: [{containerPort: 8000, hostPort: 18217, hostIP: 127.0.0.1}]");
        assertThat(host.sandlot("apply").exit()).isZero();
        String ip = status("porty").get("ip").asText();
        assertThat(TestHost.httpGet(ip)).isEqualTo("Hello World!\n");
        String nat = TestHost.sh("iptables", "-t", "nat", "-S");
        assertThat(nat).contains("--dport 18217");
        assertThat(TestHost.sh("sh", "-c", "curl -s -m 3 http://127.0.0.1:18217/ || wget -q -O - http://127.0.0.1:18217/"))
                .contains("Hello World!");
        assertThat(host.sandlot("down", "--all").exit()).isZero();
        assertThat(TestHost.sh("iptables", "-t", "nat", "-S")).doesNotContain("--dport 18217")
                .doesNotContain(status("porty") == null ? "sandlot-porty." : "never");
    }

    @Test
    void resolvConfAndHostsHoldWhatTheManifestSaysAndExecReturnsTheExitCode() throws Exception {
        manifest("named", HTTPD, "hostname: alpha",
                "dns: {nameservers: [10.217.0.53], searches: [corp.example], options: [\"ndots:2\"]}");
        assertThat(host.sandlot("apply").exit()).isZero();
        String ip = status("named").get("ip").asText();
        Path out = host.root.resolve("exec.out");
        Process exec = new ProcessBuilder(execArgv("named", "/bin/sh", "-c", "cat /etc/resolv.conf /etc/hosts; exit 7"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(exec.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(exec.exitValue()).isEqualTo(7);
        String text = Files.readString(out);
        assertThat(text).contains("nameserver 10.217.0.53").contains("search corp.example").contains("options ndots:2")
                .contains(ip + "\talpha");
    }

    private List<String> execArgv(String name, String... command) {
        List<String> argv = new ArrayList<>(List.of("bin/sandlot", "exec"));
        argv.addAll(host.options());
        argv.add(name);
        argv.add("--");
        argv.addAll(List.of(command));
        return argv;
    }
}
