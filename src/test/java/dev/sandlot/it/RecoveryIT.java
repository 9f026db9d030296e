package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md §D items 30 and 31 on real runsc, CNI plugins and netns: an address is never
 * released while the sandbox that had it may still run, and after a reboot (the run dir and every
 * netns gone, the state dir and /var/lib/cni kept) each record gets its DEL before the sandboxes
 * come back.
 */
@Timeout(300)
class RecoveryIT {
    private FaultHost fh;
    private FaultHost.Leaks empty;

    @BeforeEach
    void setUp() throws Exception {
        fh = new FaultHost("re", 3, "re-").plantDecoys();
        empty = fh.leaks();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            fh.assertNoSecondAddWithoutDel();
            fh.assertDecoysUntouched();
        } finally {
            fh.close();
        }
    }

    private static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private List<Path> leasesOf(String id) throws Exception {
        List<Path> found = new ArrayList<>();
        Path dir = Path.of("/var/lib/cni/networks", fh.host.network);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("[0-9.]+")).toList()) {
                // host-local writes "<id>\r\n<ifname>"
                if (Files.readString(p).lines().findFirst().orElse("").strip().equals(id)) {
                    found.add(p);
                }
            }
        }
        return found;
    }

    @Test
    void theAddressIsReleasedOnlyAfterTheSandboxProcessIsConfirmedGone() throws Exception {
        fh.wrapRunsc();
        fh.manifest("re-bystander", "v1");
        fh.manifest("re-stubborn", "v1", "terminationGracePeriod: 1s");
        fh.apply();
        Map<String, FaultHost.Identity> bystander = fh.identities("re-bystander");
        FaultHost.Identity stubborn = fh.identities("re-stubborn").get("re-stubborn");

        // runsc kill does nothing: the sandbox survives TERM and KILL.
        fh.failRunsc("kill ignore 100 " + stubborn.id());
        Files.delete(fh.host.manifests.resolve("re-stubborn.yaml"));
        TestHost.Run run = fh.sandlot("apply");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("survived SIGKILL").contains("its IP is kept until it is gone");
        assertThat(alive(stubborn.pid())).isTrue();
        assertThat(leasesOf(stubborn.id())).as("the lease is held while the process lives").hasSize(1);
        assertThat(fh.cniCalls().stream().filter(c -> c.id().equals(stubborn.id()) && c.command().equals("DEL")))
                .as("no DEL while the process lives").isEmpty();
        assertThat(Path.of("/run/netns", stubborn.id())).exists();
        assertThat(fh.host.stateDir.resolve("sandboxes").resolve(stubborn.id())).isDirectory();

        // Once it can be stopped, the next pass finishes the teardown and frees everything.
        fh.clearFailpoints();
        fh.apply();
        assertThat(alive(stubborn.pid())).isFalse();
        assertThat(leasesOf(stubborn.id())).isEmpty();
        fh.assertUntouched(bystander);
        fh.awaitLeaks(FaultHost.plus(empty, 1), 15_000);
    }

    @Test
    void afterARebootEveryRecordGetsItsDelAndTheDesiredSandboxesComeBack() throws Exception {
        for (String name : List.of("re-one", "re-two", "re-gone")) {
            fh.manifest(name, "v1");
        }
        fh.apply();
        Map<String, FaultHost.Identity> before = fh.identities("re-one", "re-two", "re-gone");
        fh.awaitLeaks(FaultHost.plus(empty, 3), 10_000);

        // While "powered off": re-gone's manifest is removed, and re-two's sandbox record is damaged
        // (each record is recovered on its own).
        Files.delete(fh.host.manifests.resolve("re-gone.yaml"));
        simulateReboot();
        Files.writeString(fh.host.stateDir.resolve("sandboxes").resolve(before.get("re-two").id())
                .resolve("sandbox.json"), "{\"torn");
        FaultHost.Leaks off = fh.leaks();
        assertThat(off.netns()).isZero();
        assertThat(off.containers()).isZero();
        assertThat(off.processes()).isZero();
        assertThat(off.leases()).as("/var/lib/cni survives a reboot").isEqualTo(empty.leases() + 3);
        assertThat(off.records()).isEqualTo(3);

        fh.apply();
        for (FaultHost.Identity old : before.values()) {
            assertThat(fh.cniCalls().stream().filter(c -> c.id().equals(old.id()) && c.command().equals("DEL")))
                    .as("DEL of " + old.id() + " after the reboot, without its netns").hasSize(2)
                    .allMatch(c -> !c.netns());
            assertThat(leasesOf(old.id())).isEmpty();
            assertThat(TestHost.sh("iptables", "-t", "nat", "-S")).doesNotContain(old.id());
        }
        for (String name : List.of("re-one", "re-two")) {
            JsonNode row = fh.status(name);
            assertThat(FaultHost.running(row)).isTrue();
            assertThat(row.get("id").asText()).isNotEqualTo(before.get(name).id());
            assertThat(TestHost.httpGet(row.get("ip").asText())).isEqualTo("Hello World!\n");
        }
        assertThat(fh.status("re-gone")).isNull();
        fh.awaitLeaks(FaultHost.plus(empty, 2), 15_000);
    }

    @Test
    void aFullStateDiskFailsTheCreateCleanlyAndLeavesEveryRecordIntact() throws Exception {
        // Item 32: the state dir on a 1 MiB tmpfs.
        Path state = Files.createDirectories(fh.host.stateDir);
        TestHost.sh("mount", "-t", "tmpfs", "-o", "size=1m,mode=700", "sandlot-test", state.toString());
        fh.afterClose(() -> {
            try {
                TestHost.sh("umount", state.toString());
                TestHost.sh("rm", "-rf", fh.host.root.toString());
            } catch (java.io.IOException e) {
                // best effort; the root is a temp dir
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        fh.manifest("re-kept", "v1");
        fh.apply();
        Map<String, FaultHost.Identity> kept = fh.identities("re-kept");
        Path record = fh.host.stateDir.resolve("sandboxes").resolve(kept.get("re-kept").id()).resolve("sandbox.json");
        byte[] before = Files.readAllBytes(record);

        Path filler = state.resolve("filler");
        try (java.io.OutputStream out = Files.newOutputStream(filler)) {
            byte[] chunk = new byte[64 << 10];
            for (int i = 0; i < 64; i++) {
                out.write(chunk);
            }
            throw new AssertionError("a 1 MiB tmpfs took 4 MiB");
        } catch (java.io.IOException full) {
            assertThat(full.getMessage()).contains("No space left on device");
        }

        // An atomic replace on a full disk fails and leaves the old file whole, with no temp file.
        byte[] bigger = new byte[before.length + 8192];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.sandlot.state.AtomicFiles.write(record, bigger))
                .isInstanceOf(java.io.IOException.class);
        assertThat(record).hasBinaryContent(before);
        try (Stream<Path> all = Files.walk(state)) {
            assertThat(all.filter(p -> p.getFileName().toString().contains(".tmp-"))).isEmpty();
        }

        // A create on a full disk fails at its first record, says why, and makes nothing on the host.
        fh.manifest("re-late", "v1");
        TestHost.Run run = fh.sandlot("apply");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("re-late").contains("No space left on device");
        FaultHost.Leaks full = fh.leaks();
        FaultHost.Leaks one = FaultHost.plus(empty, 1);
        assertThat(List.of(full.netns(), full.leases(), full.containers(), full.veths(), full.natRules()))
                .isEqualTo(List.of(one.netns(), one.leases(), one.containers(), one.veths(), one.natRules()));
        assertThat(record).hasBinaryContent(before);
        fh.assertUntouched(kept);

        // Space again: the next pass converges.
        Files.delete(filler);
        fh.apply();
        assertThat(FaultHost.running(fh.status("re-late"))).isTrue();
        fh.assertUntouched(kept);
        fh.awaitLeaks(FaultHost.plus(empty, 2), 15_000);
    }

    @Test
    void aPluginHungWhenTheDaemonIsKilledDoesNotOutliveIt() throws Exception {
        fh.host.writeConfig("resyncInterval: 1s\nmetricsAddress: \"off\"\n");
        fh.failCni("ADD hang-after 1 *re-orphan*:eth0:bridge");
        fh.manifest("re-orphan", "v1");
        try (DaemonProcess first = new DaemonProcess(fh.host)) {
            long deadline = System.currentTimeMillis() + 20_000;
            while (fh.cniCalls().stream().noneMatch(c -> c.action().equals("hang-after"))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            first.signal("KILL");
            assertThat(first.awaitExit(10)).isTrue();
        }
        try (DaemonProcess second = new DaemonProcess(fh.host)) {
            fh.awaitStatus("re-orphan", FaultHost::running, 30_000);
            // Well past the 30 s plugin timeout the dead daemon would have applied.
            long deadline = System.currentTimeMillis() + 40_000;
            while (fh.processes().stream().anyMatch(p -> p.contains("fault-bin"))
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            assertThat(fh.processes().stream().filter(p -> p.contains("fault-bin"))).isEmpty();
        }
    }

    /**
     * What a reboot does to this host's sandboxes: every process gone, /run (the run dir with its
     * runsc root, and each netns) empty, cgroups gone; the state dir, /var/lib/cni and the NAT rules
     * stay (the harder case: a host that restores its iptables rules).
     */
    private void simulateReboot() throws Exception {
        for (String p : fh.processes()) {
            TestHost.sh("kill", "-9", p.substring(0, p.indexOf(' ')));
        }
        long deadline = System.currentTimeMillis() + 15_000;
        while (!fh.processes().isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(fh.processes()).isEmpty();
        TestHost.sh("rm", "-rf", fh.host.runDir.toString());
        for (String netns : CniFaultIT.names(Path.of("/run/netns"))) {
            if (netns.startsWith("sandlot-" + fh.prefix)) {
                TestHost.sh("ip", "netns", "delete", netns);
            }
        }
        for (String controller : CniFaultIT.names(Path.of("/sys/fs/cgroup"))) {
            Path parent = Path.of("/sys/fs/cgroup", controller, "sandlot");
            if (Files.isDirectory(parent)) {
                for (String cg : CniFaultIT.names(parent)) {
                    if (cg.startsWith("sandlot-" + fh.prefix)) {
                        TestHost.sh("rmdir", parent.resolve(cg).toString());
                    }
                }
            }
        }
        deadline = System.currentTimeMillis() + 10_000;
        while (fh.leaks().veths() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
    }
}
