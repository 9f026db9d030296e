package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md §B, the watched folder, against the real daemon ({@code bin/sandlot run}, resync
 * every second) on real runsc, CNI and netns. Each test keeps a bystander running and checks I1
 * (it keeps pid, netns and IP), I2 (counts back to baseline), I3 (decoys untouched) and I4 (errors
 * name the file, never echo its content or control characters).
 */
@Timeout(300)
class FolderIT {
    private FaultHost fh;
    private FaultHost.Leaks empty;
    private DaemonProcess daemon;

    @BeforeEach
    void setUp() throws Exception {
        fh = new FaultHost("rb", 0, "rb-").plantDecoys();
        fh.host.writeConfig("resyncInterval: 1s\nmetricsAddress: \"off\"\n");
        empty = fh.leaks();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (daemon != null) {
                daemon.close();
            }
            fh.assertNoSecondAddWithoutDel();
            fh.assertDecoysUntouched();
        } finally {
            fh.close();
        }
    }

    private DaemonProcess startDaemon() throws Exception {
        daemon = new DaemonProcess(fh.host);
        daemon.awaitLog("sandlot running", 20_000);
        return daemon;
    }

    private void stopDaemon() throws Exception {
        daemon.signal("TERM");
        assertThat(daemon.awaitExit(30)).isTrue();
        daemon = null;
    }

    /** Long enough for at least two periodic relists (resyncInterval 1s) plus a pass. */
    private static void twoRelists() throws InterruptedException {
        Thread.sleep(2_500);
    }

    private Path file(String name) {
        return fh.host.manifests.resolve(name);
    }

    /** Writes the text elsewhere in the folder (a dotfile), then renames it over {@code target}. */
    private void renameInto(String text, Path target) throws Exception {
        Path temp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(temp, text);
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private JsonNode awaitRunning(String name) throws Exception {
        return fh.awaitStatus(name, FaultHost::running, 30_000);
    }

    private int count(String text, String needle) {
        return text.split(java.util.regex.Pattern.quote(needle), -1).length - 1;
    }

    private static void assertPrintable(String text) {
        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n' && c != '\t').count())
                .as("I4: no raw control characters").isZero();
    }

    // ---- item 10 ------------------------------------------------------------------------------

    @Test
    void anInvalidUpdateThatNoLongerEvenShowsTheNameKeepsTheLastKnownGoodAcrossRelistsAndRestarts()
            throws Exception {
        fh.manifest("rb-web", "v1");
        fh.manifest("rb-calm", "v1");
        startDaemon();
        awaitRunning("rb-web");
        awaitRunning("rb-calm");
        Map<String, FaultHost.Identity> before = fh.identities("rb-web", "rb-calm");
        String good = Files.readString(file("rb-web.yaml"));

        // Half-written garbage with control characters, without the name.
        Files.write(file("rb-web.yaml"), "\u0000\u001b[2J\u0007kind: [SECRET-CONTENT-rb\n".getBytes());
        JsonNode held = fh.awaitStatus("rb-web", r -> r != null && "ManifestInvalid".equals(r.get("reason").asText()),
                10_000);
        assertThat(held.get("message").asText()).contains(file("rb-web.yaml").toString()).contains("has errors");
        assertPrintable(held.get("message").asText());
        twoRelists();
        twoRelists();
        fh.assertUntouched(before);
        String log = daemon.output();
        assertThat(log).contains("manifest error: " + file("rb-web.yaml") + ":1:")
                .doesNotContain("SECRET-CONTENT").doesNotContain("\u001b[2J");
        assertPrintable(log);

        // A one-shot apply (the daemon stopped) keeps it too: last known good from the records.
        stopDaemon();
        TestHost.Run apply = fh.sandlot("apply");
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.err()).contains(file("rb-web.yaml") + ":1:").doesNotContain("SECRET-CONTENT");
        fh.assertUntouched(before);

        // The same good content back, under a new daemon: nothing restarts.
        Files.writeString(file("rb-web.yaml"), good);
        startDaemon();
        twoRelists();
        fh.assertUntouched(before);
        assertThat(fh.status("rb-web").get("reason").isNull()).isTrue();
        fh.awaitLeaks(FaultHost.plus(empty, 2), 15_000);
    }

    // ---- items 11 and 8 -----------------------------------------------------------------------

    @Test
    void aTemporaryFileRenamedOverTheManifestRestartsExactlyOnceAndOnlyWhenTheSpecChanges() throws Exception {
        fh.manifest("rb-ren", "v1");
        fh.manifest("rb-calm", "v1");
        startDaemon();
        awaitRunning("rb-ren");
        awaitRunning("rb-calm");
        Map<String, FaultHost.Identity> calm = fh.identities("rb-calm");
        Map<String, FaultHost.Identity> first = fh.identities("rb-ren");

        // Identical content, then a formatting-only edit (comments, key order, quoting, labels).
        renameInto(fh.manifestText("rb-ren", "v1"), file("rb-ren.yaml"));
        twoRelists();
        fh.assertUntouched(first);
        renameInto("# reformatted\n" + fh.manifestText("rb-ren", "v1")
                .replace("kind: Sandbox\n", "")
                .replace("apiVersion: sandlot.dev/v1\n", "kind: 'Sandbox'   # same\napiVersion: \"sandlot.dev/v1\"\n")
                .replace("  name: rb-ren\n", "  name: rb-ren\n  labels: {tier: test}\n"), file("rb-ren.yaml"));
        twoRelists();
        fh.assertUntouched(first);

        // New content: replaced exactly once.
        renameInto(fh.manifestText("rb-ren", "v2"), file("rb-ren.yaml"));
        JsonNode replaced = fh.awaitStatus("rb-ren", r -> FaultHost.running(r)
                && !r.get("id").asText().equals(first.get("rb-ren").id()), 20_000);
        twoRelists();
        assertThat(fh.status("rb-ren").get("id")).isEqualTo(replaced.get("id"));
        assertThat(count(daemon.output(), "replace  rb-ren")).isEqualTo(1);
        assertThat(daemon.output()).doesNotContain("manifest error");
        fh.assertUntouched(calm);
        fh.awaitLeaks(FaultHost.plus(empty, 2), 15_000);
    }

    // ---- item 12 ------------------------------------------------------------------------------

    @Test
    void editorBackupAndDotfilesAreIgnored() throws Exception {
        fh.manifest("rb-main", "v1");
        startDaemon();
        awaitRunning("rb-main");
        Map<String, FaultHost.Identity> main = fh.identities("rb-main");
        List<String> ignored = List.of(".rb-main.yaml.swp", "rb-main.yaml~", "rb-main.yaml.bak", "4913",
                ".rb-hidden.yaml", "#rb-main.yaml#", ".#rb-main.yaml", "~$rb-main.yaml", "rb-main.yml.orig",
                ".rb-main.yaml.swx");
        for (int i = 0; i < ignored.size(); i++) {
            // Half of them valid manifests of new names, half garbage: neither may count.
            String text = i % 2 == 0 ? fh.manifestText("rb-ghost" + i, "v1") : "{{{ not yaml";
            Files.writeString(file(ignored.get(i)), text);
        }
        twoRelists();
        assertThat(fh.status().keySet()).containsExactly("rb-main");
        assertThat(daemon.output()).doesNotContain("manifest error");
        fh.assertUntouched(main);
        fh.awaitLeaks(FaultHost.plus(empty, 1), 15_000);
    }

    // ---- item 13 ------------------------------------------------------------------------------

    @Test
    void twoFilesDeclaringOneNameAreAConflictOnBothWhileTheSandboxKeepsItsLastGoodSpecWithoutFlapping()
            throws Exception {
        fh.manifest("rb-dup", "v1");
        startDaemon();
        awaitRunning("rb-dup");
        Map<String, FaultHost.Identity> first = fh.identities("rb-dup");

        Files.writeString(file("rb-dup-copy.yaml"), fh.manifestText("rb-dup", "v2"));
        JsonNode held = fh.awaitStatus("rb-dup", r -> r != null && "ManifestInvalid".equals(r.get("reason").asText()),
                10_000);
        assertThat(held.get("message").asText()).contains("rb-dup.yaml").contains("rb-dup-copy.yaml");
        twoRelists();
        twoRelists();
        fh.assertUntouched(first);
        String log = daemon.output();
        assertThat(log).contains("manifest error: " + file("rb-dup.yaml") + ":1:1: metadata.name: sandbox rb-dup is"
                        + " declared also in " + file("rb-dup-copy.yaml"))
                .contains("manifest error: " + file("rb-dup-copy.yaml") + ":1:1: metadata.name: sandbox rb-dup is"
                        + " declared also in " + file("rb-dup.yaml"))
                .doesNotContain("replace  rb-dup").doesNotContain("removed");

        // The copy goes: the original was the last good spec all along, so nothing restarts.
        Files.delete(file("rb-dup-copy.yaml"));
        twoRelists();
        fh.assertUntouched(first);
        assertThat(fh.status("rb-dup").get("reason").isNull()).isTrue();
        fh.awaitLeaks(FaultHost.plus(empty, 1), 15_000);
    }

    // ---- item 14 ------------------------------------------------------------------------------

    @Test
    void fifosSocketsDevicesAndSymlinksInTheFolderNeverBlockAreNeverFollowedNorEchoed() throws Exception {
        fh.manifest("rb-base", "v1");
        startDaemon();
        awaitRunning("rb-base");
        Map<String, FaultHost.Identity> base = fh.identities("rb-base");

        Path outside = fh.host.root.resolve("outside.yaml");
        Files.writeString(outside, fh.manifestText("rb-linked", "SECRET-CONTENT-rb"));
        TestHost.sh("mkfifo", fh.host.root.resolve("outside.fifo").toString());
        TestHost.sh("mkfifo", file("rb-fifo.yaml").toString());
        TestHost.sh("mknod", file("rb-zero.yaml").toString(), "c", "1", "5");
        Files.createSymbolicLink(file("rb-link.yaml"), outside);
        Files.createSymbolicLink(file("rb-zerolink.yaml"), Path.of("/dev/zero"));
        Files.createSymbolicLink(file("rb-fifolink.yaml"), fh.host.root.resolve("outside.fifo"));
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(file("rb-sock.yaml")));

            // The daemon still follows the folder: a new manifest comes up.
            fh.manifest("rb-after", "v1");
            awaitRunning("rb-after");
            twoRelists();
            assertThat(fh.status().keySet()).containsExactlyInAnyOrder("rb-base", "rb-after");
            String log = daemon.output();
            for (String name : List.of("rb-fifo.yaml", "rb-zero.yaml", "rb-link.yaml", "rb-zerolink.yaml",
                    "rb-fifolink.yaml", "rb-sock.yaml")) {
                assertThat(log).contains("manifest error: " + file(name));
            }
            assertThat(log).contains("manifest error: " + file("rb-link.yaml") + ":1:1: symlinks are not followed")
                    .contains("manifest error: " + file("rb-zerolink.yaml") + ":1:1: symlinks are not followed")
                    .doesNotContain("SECRET-CONTENT");

            // A one-shot apply neither blocks.
            stopDaemon();
            long start = System.nanoTime();
            TestHost.Run apply = fh.child(Map.of(), "apply");
            assertThat(System.nanoTime() - start).isLessThan(30_000_000_000L);
            assertThat(apply.exit()).isEqualTo(1);
            assertThat(apply.err()).contains(file("rb-fifo.yaml").toString()).doesNotContain("SECRET-CONTENT");
        }
        fh.assertUntouched(base);
        fh.awaitLeaks(FaultHost.plus(empty, 2), 15_000);
    }

    // ---- item 15 ------------------------------------------------------------------------------

    @Test
    void filesAndFoldersOthersCouldChangeAreRefusedWithAnAlertAndNothingChanges() throws Exception {
        fh.manifest("rb-own", "v1");
        fh.manifest("rb-calm", "v1");
        startDaemon();
        awaitRunning("rb-own");
        awaitRunning("rb-calm");
        Map<String, FaultHost.Identity> running = fh.identities("rb-own", "rb-calm");

        // A running sandbox's file handed to another user: refused, the sandbox keeps its last good spec.
        TestHost.sh("chown", "nobody", file("rb-own.yaml").toString());
        fh.awaitStatus("rb-own", r -> r != null && "ManifestInvalid".equals(r.get("reason").asText()), 10_000);
        // New files owned by nobody, or writable by others (made outside, then moved in): refused.
        Path foreign = Files.writeString(fh.host.root.resolve("rb-foreign.yaml"), fh.manifestText("rb-foreign", "v1"));
        TestHost.sh("chown", "nobody", foreign.toString());
        Files.move(foreign, file("rb-foreign.yaml"));
        Path open = Files.writeString(fh.host.root.resolve("rb-open.yaml"), fh.manifestText("rb-open", "v1"));
        TestHost.sh("chmod", "666", open.toString());
        Files.move(open, file("rb-open.yaml"));
        twoRelists();
        assertThat(fh.status().keySet()).containsExactlyInAnyOrder("rb-own", "rb-calm");
        String log = daemon.output();
        assertThat(log).contains("ALERT: " + file("rb-own.yaml") + ": owned by uid")
                .contains("ALERT: " + file("rb-foreign.yaml") + ": owned by uid")
                .contains("ALERT: " + file("rb-open.yaml") + ": writable by group or others");
        fh.assertUntouched(running);

        // Fixed: they come up, and the held one is back on its file without a restart.
        TestHost.sh("chown", "root", file("rb-own.yaml").toString(), file("rb-foreign.yaml").toString());
        TestHost.sh("chmod", "644", file("rb-open.yaml").toString());
        awaitRunning("rb-foreign");
        awaitRunning("rb-open");
        fh.assertUntouched(running);
        Map<String, FaultHost.Identity> openOne = fh.identities("rb-open");

        // The folder writable by others: refused as a whole; nothing is created or removed meanwhile.
        TestHost.sh("chmod", "o+w", fh.host.manifests.toString());
        daemon.awaitLog("ALERT: manifests folder " + fh.host.manifests, 10_000);
        Files.delete(file("rb-open.yaml"));
        fh.manifest("rb-late", "v1");
        twoRelists();
        fh.assertUntouched(openOne); // not removed while the folder is refused
        assertThat(fh.leaks().containers()).as("nothing created while the folder is refused")
                .isEqualTo(FaultHost.plus(empty, 4).containers());
        TestHost.sh("chmod", "o-w", fh.host.manifests.toString());
        awaitRunning("rb-late");
        fh.awaitStatus("rb-open", r -> r == null, 20_000);
        fh.assertUntouched(running);
        fh.awaitLeaks(FaultHost.plus(empty, 4), 15_000);
    }

    // ---- item 16 ------------------------------------------------------------------------------

    @Test
    void aMissingFolderOrOneReplacedByAFileRemovesNothing() throws Exception {
        fh.manifest("rb-keep", "v1");
        startDaemon();
        awaitRunning("rb-keep");
        Map<String, FaultHost.Identity> keep = fh.identities("rb-keep");
        Path away = fh.host.root.resolve("manifests.away");

        Files.move(fh.host.manifests, away);
        twoRelists();
        fh.assertUntouched(keep);
        daemon.awaitLog("does not exist; nothing was changed", 5_000);

        Files.writeString(fh.host.manifests, "not a folder\n");
        twoRelists();
        fh.assertUntouched(keep);
        daemon.awaitLog("is not a folder; nothing was changed", 5_000);

        // One-shot commands agree.
        stopDaemon();
        TestHost.Run apply = fh.sandlot("apply");
        assertThat(apply.exit()).isEqualTo(1);
        assertThat(apply.err()).contains("nothing was changed");
        fh.assertUntouched(keep);

        Files.delete(fh.host.manifests);
        Files.move(away, fh.host.manifests);
        startDaemon();
        twoRelists();
        fh.assertUntouched(keep);
        fh.awaitLeaks(FaultHost.plus(empty, 1), 15_000);
    }

    @Test
    void statusWhileTheFolderIsMissingShowsTheSandboxesAsTheyRun() throws Exception {
        fh.manifest("rb-shown", "v1");
        fh.apply();
        Path away = fh.host.root.resolve("manifests.away");
        Files.move(fh.host.manifests, away);
        try {
            JsonNode row = fh.status("rb-shown");
            assertThat(row.get("phase").asText()).isEqualTo("Running");
            assertThat(row.get("reason").asText()).isNotEqualTo("NoManifest");
        } finally {
            Files.move(away, fh.host.manifests);
        }
    }

    @Test
    void anUnmountedManifestsFolderRemovesNothing() throws Exception {
        Path folder = fh.host.manifests;
        TestHost.sh("mount", "-t", "tmpfs", "-o", "size=1m,mode=755", "sandlot-test-manifests", folder.toString());
        try {
            fh.manifest("rb-mounted", "v1");
            startDaemon();
            awaitRunning("rb-mounted");
            Map<String, FaultHost.Identity> mounted = fh.identities("rb-mounted");
            String content = Files.readString(file("rb-mounted.yaml"));

            // Unmounted: the empty folder underneath must not read as "no sandboxes".
            TestHost.sh("umount", folder.toString());
            assertThat(folder).isEmptyDirectory();
            twoRelists();
            fh.assertUntouched(mounted);
            daemon.awaitLog("was a mount point and is not mounted now", 5_000);

            stopDaemon();
            TestHost.Run apply = fh.sandlot("apply");
            assertThat(apply.exit()).isEqualTo(1);
            assertThat(apply.err()).contains("not mounted now");
            fh.assertUntouched(mounted);

            // Mounted again with the same content: nothing restarts.
            TestHost.sh("mount", "-t", "tmpfs", "-o", "size=1m,mode=755", "sandlot-test-manifests", folder.toString());
            Files.writeString(file("rb-mounted.yaml"), content);
            startDaemon();
            twoRelists();
            fh.assertUntouched(mounted);
            fh.awaitLeaks(FaultHost.plus(empty, 1), 15_000);
        } finally {
            if (daemon != null) {
                stopDaemon();
            }
            TestHost.sh("sh", "-c", "grep -q ' " + folder + " ' /proc/self/mounts && umount " + folder + " || true");
        }
    }

    @Test
    void deletingManifestsIsHonouredDownToTheLastOneAndASecondInstanceChangesNothing() throws Exception {
        for (String name : List.of("rb-d1", "rb-d2", "rb-d3")) {
            fh.manifest(name, "v1");
        }
        startDaemon();
        for (String name : List.of("rb-d1", "rb-d2", "rb-d3")) {
            awaitRunning(name);
        }
        Map<String, FaultHost.Identity> all = fh.identities("rb-d1", "rb-d2", "rb-d3");

        // Item 34: a second daemon and a down while it runs exit 1 at once, having changed nothing.
        TestHost.Run second = fh.child(Map.of(), "run");
        assertThat(second.exit()).isEqualTo(1);
        assertThat(second.err()).contains("another sandlot");
        TestHost.Run down = fh.sandlot("down", "--all");
        assertThat(down.exit()).isEqualTo(1);
        fh.assertUntouched(all);

        Files.delete(file("rb-d1.yaml"));
        fh.awaitStatus("rb-d1", r -> r == null, 20_000);
        fh.assertUntouched(Map.of("rb-d2", all.get("rb-d2"), "rb-d3", all.get("rb-d3")));
        Files.delete(file("rb-d2.yaml"));
        fh.awaitStatus("rb-d2", r -> r == null, 20_000);
        fh.assertUntouched(Map.of("rb-d3", all.get("rb-d3")));
        Files.delete(file("rb-d3.yaml"));
        fh.awaitStatus("rb-d3", r -> r == null, 20_000);
        assertThat(fh.host.manifests).isEmptyDirectory();
        fh.awaitLeaks(empty, 15_000);
    }

    // ---- item 17 ------------------------------------------------------------------------------

    @Test
    void anEventStormOfAThousandRewritesEndsOnTheLastContentWithBoundedRestartsAndNoLeak() throws Exception {
        fh.manifest("rb-storm", "v0");
        fh.manifest("rb-calm", "v1");
        startDaemon();
        awaitRunning("rb-storm");
        awaitRunning("rb-calm");
        Map<String, FaultHost.Identity> calm = fh.identities("rb-calm");
        twoRelists();
        long pid = daemon.process.pid();
        int fdsBefore = CniFaultIT.names(Path.of("/proc", Long.toString(pid), "fd")).size();
        int threadsBefore = CniFaultIT.names(Path.of("/proc", Long.toString(pid), "task")).size();

        // 1000 in-place rewrites (each a truncate and a write: readers can see half-written files).
        Path storm = file("rb-storm.yaml");
        long start = System.nanoTime();
        for (int i = 1; i <= 1000; i++) {
            Files.writeString(storm, fh.manifestText("rb-storm", i == 1000 ? "final" : "v" + i));
        }
        long stormMillis = (System.nanoTime() - start) / 1_000_000;

        JsonNode last = fh.awaitStatus("rb-storm", r -> {
            try {
                return FaultHost.running(r) && r.get("reason").isNull()
                        && fh.bundleConfig(r.get("id").asText()).get("process").get("env").toString()
                                .contains("GREETING=final");
            } catch (java.io.IOException e) {
                return false;
            }
        }, 60_000);
        twoRelists();
        assertThat(fh.status("rb-storm").get("id")).as("it settled").isEqualTo(last.get("id"));
        int replaces = count(daemon.output(), "replace  rb-storm");
        System.out.printf("event storm: 1000 rewrites in %d ms, %d replaces%n", stormMillis, replaces);
        assertThat(replaces).as("bounded restarts").isBetween(1, 20);
        fh.assertUntouched(calm);
        fh.awaitLeaks(FaultHost.plus(empty, 2), 15_000);

        int fdsAfter = CniFaultIT.names(Path.of("/proc", Long.toString(pid), "fd")).size();
        int threadsAfter = CniFaultIT.names(Path.of("/proc", Long.toString(pid), "task")).size();
        System.out.printf("daemon fds %d -> %d, threads %d -> %d%n", fdsBefore, fdsAfter, threadsBefore,
                threadsAfter);
        assertThat(fdsAfter).as("I2: the daemon's open fds").isLessThanOrEqualTo(fdsBefore + 8);
        assertThat(threadsAfter).as("I2: the daemon's threads").isLessThanOrEqualTo(threadsBefore + 8);
    }
}
