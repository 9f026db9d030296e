package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real daemon process on real runsc, CNI and netns (issue 4). */
class DaemonIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestHost host;

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost("dm", 216);
        host.writeConfig("resyncInterval: 1s\nmetricsAddress: \"off\"\n");
    }

    @AfterEach
    void tearDown() throws Exception {
        host.close();
    }

    private JsonNode status(String name) throws Exception {
        TestHost.Run run = host.sandlot("status", "--json", name);
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode rows = JSON.readTree(run.out());
        return rows.size() == 0 ? null : rows.get(0);
    }

    /** Polls status (bounded) until {@code test} holds. */
    private JsonNode awaitStatus(String name, Predicate<JsonNode> test, long millis) throws Exception {
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

    private static boolean running(JsonNode row) {
        return row != null && "Running".equals(row.get("phase").asText()) && row.get("pid").asInt() > 0;
    }

    /** Writes the manifest elsewhere, then renames it into the folder, as editors and tools do. */
    private void dropIn(String name, String version) throws Exception {
        Path staged = host.writeManifest(name, version);
        Path elsewhere = host.root.resolve(name + ".staged");
        Files.move(staged, elsewhere);
        Files.move(elsewhere, host.manifests.resolve(name + ".yaml"), StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void followsTheFolderKeepsLastKnownGoodAndTearsDownOnDelete() throws Exception {
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            dropIn("web", "v1");
            JsonNode first = awaitStatus("web", DaemonIT::running, 20_000);
            assertThat(TestHost.httpGet(first.get("ip").asText())).isEqualTo("Hello World!\n");

            // A half-written update: the sandbox keeps running on its last known good spec.
            Path file = host.manifests.resolve("web.yaml");
            String good = Files.readString(file);
            Files.writeString(file, good.substring(0, good.indexOf("process:") + 12));
            JsonNode held = awaitStatus("web", r -> r.get("reason").asText("").equals("ManifestInvalid"), 10_000);
            assertThat(held.get("pid")).isEqualTo(first.get("pid"));
            assertThat(held.get("phase").asText()).isEqualTo("Running");
            assertThat(held.get("message").asText()).contains("web.yaml has errors");
            Thread.sleep(2_500); // more than two relists (resyncInterval 1s)
            JsonNode afterRelists = status("web");
            assertThat(afterRelists.get("pid")).isEqualTo(first.get("pid"));
            assertThat(afterRelists.get("reason").asText()).isEqualTo("ManifestInvalid");

            // The fix (with a new spec): replaced exactly once.
            Files.writeString(file, good.replace("GREETING: \"v1\"", "GREETING: \"v2\""));
            JsonNode replaced = awaitStatus("web", r -> running(r) && !r.get("id").equals(first.get("id"))
                    && r.get("reason").isNull(), 20_000);
            assertThat(TestHost.httpGet(replaced.get("ip").asText())).isEqualTo("Hello World!\n");
            Thread.sleep(1_500);
            assertThat(status("web").get("id")).isEqualTo(replaced.get("id"));
            assertThat(daemon.output().split("replace  web", -1)).hasSize(2);

            // Deleting the file tears the sandbox down, with nothing left behind.
            Files.delete(file);
            awaitStatus("web", r -> r == null, 20_000);
            assertThat(host.counts().records()).isZero();
            assertThat(host.counts().runscContainers()).isZero();
        }
    }

    /** A signal mask line of /proc/PID/status ("SigIgn:\t0000000000000001") as a number. */
    private static long signalMask(long pid, String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseUnsignedLong(line.substring(field.length() + 1).strip(), 16);
            }
        }
        throw new AssertionError("no " + field + " in /proc/" + pid + "/status");
    }

    @Test
    void startedUnderNohupItStillTakesSighupAsReRead() throws Exception {
        // nohup starts it with SIGHUP ignored, which the JVM would keep: `sandlot sync` and
        // `systemctl reload` would then do nothing at all.
        try (DaemonProcess daemon = new DaemonProcess(host, java.util.List.of("nohup"))) {
            daemon.awaitLog("sandlot running", 20_000);
            long sighup = 1L << (1 - 1);
            assertThat(signalMask(daemon.process.pid(), "SigIgn") & sighup).as("SIGHUP ignored").isZero();
            assertThat(signalMask(daemon.process.pid(), "SigCgt") & sighup).as("SIGHUP caught").isEqualTo(sighup);
            TestHost.Run sync = host.sandlot("sync");
            assertThat(sync.exit()).as(sync.err()).isZero();
            dropIn("after-hup", "v1");
            assertThat(awaitStatus("after-hup", DaemonIT::running, 20_000)).isNotNull();
            assertThat(daemon.process.isAlive()).isTrue();
        }
    }

    @Test
    void survivesItsOwnRestartsWithoutTouchingSandboxes() throws Exception {
        dropIn("keep", "v1");
        JsonNode before;
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            before = awaitStatus("keep", DaemonIT::running, 20_000);
            // A second instance exits 1 at once, having changed nothing.
            TestHost.Run second = host.sandlot("apply");
            assertThat(second.exit()).isEqualTo(1);
            assertThat(second.err()).contains("another sandlot");
            daemon.signal("KILL");
            assertThat(daemon.awaitExit(10)).isTrue();
        }
        assertThat(status("keep").get("pid")).isEqualTo(before.get("pid"));

        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            Thread.sleep(1_500); // a resync: adoption, not a restart
            assertThat(status("keep").get("pid")).isEqualTo(before.get("pid"));
            assertThat(daemon.output()).doesNotContain("removed").doesNotContain("created");
            daemon.signal("TERM");
            assertThat(daemon.awaitExit(30)).isTrue();
            assertThat(daemon.process.exitValue()).isZero();
        }
        JsonNode after = status("keep");
        assertThat(after.get("pid")).isEqualTo(before.get("pid"));
        assertThat(TestHost.httpGet(after.get("ip").asText())).isEqualTo("Hello World!\n");
    }

    @Test
    void anAdoptedSandboxThatDiesIsRecreatedWithoutWaitingForAResync() throws Exception {
        // A resync an hour away: only the daemon's check of adopted pids can notice the death.
        host.writeConfig("resyncInterval: 1h\nmetricsAddress: \"off\"\n");
        dropIn("adopted", "v1");
        JsonNode before;
        try (DaemonProcess first = new DaemonProcess(host)) {
            before = awaitStatus("adopted", DaemonIT::running, 20_000);
            first.signal("KILL");
            assertThat(first.awaitExit(10)).isTrue();
        }
        try (DaemonProcess daemon = new DaemonProcess(host)) {
            daemon.awaitLog("sandlot running", 20_000);
            assertThat(status("adopted").get("pid")).as("adopted, not restarted").isEqualTo(before.get("pid"));

            new ProcessBuilder("kill", "-KILL", before.get("pid").asText()).inheritIO().start().waitFor();

            JsonNode after;
            try {
                after = awaitStatus("adopted", r -> running(r) && !r.get("id").equals(before.get("id")), 20_000);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\ndaemon log:\n" + daemon.output(), e);
            }
            assertThat(TestHost.httpGet(after.get("ip").asText())).isEqualTo("Hello World!\n");
            assertThat(host.counts().runscContainers()).isEqualTo(1);
        }
    }
}
