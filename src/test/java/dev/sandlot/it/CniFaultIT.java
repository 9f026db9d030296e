package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.host.ProcessRunner;
import dev.sandlot.host.SystemProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RELIABILITY.md §C: CNI and runsc faults injected with the failpoint plugin and the failpoint runsc
 * wrapper, through real `sandlot apply` passes on real runsc, bridge/host-local/portmap and netns.
 * Every test ends by checking I1 (a bystander keeps pid, netns and IP), I2 (every count back to its
 * baseline), I3 (decoys named sandlot-... but not recorded here are untouched) and item 19 (never a
 * second ADD for one attachment without DEL).
 */
@Timeout(300)
class CniFaultIT {
    private FaultHost fh;
    private FaultHost.Leaks empty;
    private FaultHost.Leaks base;
    private Map<String, FaultHost.Identity> bystander;

    @BeforeEach
    void setUp() throws Exception {
        fh = new FaultHost("rc", 1, "rc-").plantDecoys();
        empty = fh.leaks();
        fh.manifest("rc-bystander", "v1");
        fh.apply();
        bystander = fh.identities("rc-bystander");
        base = FaultHost.plus(empty, 1);
        fh.awaitLeaks(base, 10_000);
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

    /** I1, I2, I3 once the host has converged to the bystander plus {@code running} more sandboxes. */
    private void assertInvariants(int running) throws Exception {
        fh.assertUntouched(bystander);
        fh.awaitLeaks(FaultHost.plus(base, running), 15_000);
        fh.assertDecoysUntouched();
    }

    /** Caps the timeout of every call of the failpoint plugin and the runsc wrapper (in-process commands). */
    private static void capTimeouts(Duration cap) {
        SystemProcessRunner real = new SystemProcessRunner();
        ProcessRunner capped = request -> {
            boolean faulty = request.argv().get(0).contains("fault-bin");
            boolean runscRun = request.argv().contains("run");
            return real.run(faulty && (!request.program().equals("runsc") || runscRun)
                    && request.timeout().compareTo(cap) > 0 ? request.withTimeout(cap) : request);
        };
        TestSeam.install(() -> capped);
    }

    /** Processes of the failpoint plugin or runsc wrapper still alive (a hang not killed). */
    private List<String> faultProcesses() throws Exception {
        return fh.processes().stream().filter(p -> p.contains("fault-bin")).toList();
    }

    private String idOf(String name) throws Exception {
        return fh.status(name).get("id").asText();
    }

    private List<FaultHost.CniCall> callsFor(String namePrefix) throws Exception {
        return fh.cniCalls().stream().filter(c -> c.id().startsWith("sandlot-" + namePrefix + ".")).toList();
    }

    private static void assertPrintable(String text) {
        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n' && c != '\t').count())
                .as("I4: no raw control characters in: " + text).isZero();
    }

    // ---- item 18 ------------------------------------------------------------------------------

    @Test
    void delTwiceDelOfAnUnknownIdAndDelWithTheNetnsGoneAllSucceedAndFreeEverything() throws Exception {
        fh.manifest("rc-a", "v1");
        fh.manifest("rc-b", "v1");
        fh.apply();
        String a = idOf("rc-a");
        String b = idOf("rc-b");

        // down twice, and down of a name nobody has: all succeed.
        assertThat(fh.sandlot("down", "rc-a").exit()).isZero();
        TestHost.Run again = fh.sandlot("down", "rc-a");
        assertThat(again.exit()).isZero();
        assertThat(again.out()).contains("not running");
        assertThat(fh.sandlot("down", "rc-nobody").exit()).isZero();
        assertThat(callsFor("rc-a").stream().filter(c -> c.command().equals("DEL") && c.ifname().equals("eth0")))
                .as("one teardown: DEL once per plugin").hasSize(2);

        // The netns deleted from outside (as after a reboot), then the manifest removed: DEL still
        // frees the lease, and the NAT chain the bridge could not find is removed by id.
        TestHost.sh("ip", "netns", "delete", b);
        Files.delete(fh.host.manifests.resolve("rc-b.yaml"));
        Files.delete(fh.host.manifests.resolve("rc-a.yaml"));
        fh.apply();
        assertThat(callsFor("rc-b").stream().filter(c -> c.command().equals("DEL")))
                .as("DEL ran for rc-b without its netns").isNotEmpty()
                .allMatch(c -> !c.netns());
        assertThat(TestHost.sh("iptables", "-t", "nat", "-S")).doesNotContain(b).doesNotContain(a);
        assertInvariants(0);
    }

    // ---- item 20 ------------------------------------------------------------------------------

    @Test
    void anAddThatFailsHalfWayThroughTheChainIsUndoneWholeWhileOthersConverge() throws Exception {
        fh.failCni("ADD error 1 *rc-half*:eth0:portmap");
        fh.manifest("rc-half", "v1");
        fh.manifest("rc-other", "v1");

        TestHost.Run run = fh.sandlot("apply");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("rc-half: CNI ADD " + fh.host.network)
                .contains("failpoint: injected ADD error").doesNotContain("FAILED rc-other");
        // I5: the other sandbox of the same pass converged.
        assertThat(FaultHost.running(fh.status("rc-other"))).isTrue();
        // The bridge's half of the chain was deleted, in reverse order, and the records went with it.
        List<FaultHost.CniCall> half = callsFor("rc-half");
        assertThat(half).extracting(c -> c.command() + " " + c.delegate() + " " + c.action())
                .containsExactly("ADD bridge pass", "ADD portmap error", "DEL portmap pass", "DEL bridge pass");
        assertInvariants(1);

        fh.apply();
        assertThat(FaultHost.running(fh.status("rc-half"))).isTrue();
        assertInvariants(2);
    }

    @Test
    void aDelThatKeepsFailingKeepsItsRecordAndLeaseUntilItSucceeds() throws Exception {
        fh.failCni("""
                ADD error 1 *rc-stuck*:eth0:portmap
                DEL error 2 *rc-stuck*:eth0:bridge
                """);
        fh.manifest("rc-stuck", "v1");
        TestHost.Run run = fh.sandlot("apply");
        assertThat(run.exit()).isEqualTo(1);
        String stuck = callsFor("rc-stuck").get(0).id();
        // DEL failed with the netns and again after it: the record and the lease stay, nothing else.
        FaultHost.Leaks leaks = fh.leaks();
        assertThat(leaks.records()).isEqualTo(base.records() + 1);
        assertThat(leaks.leases()).isEqualTo(base.leases() + 1);
        assertThat(leaks.netns()).isEqualTo(base.netns());
        assertThat(leaks.containers()).isEqualTo(base.containers());
        assertThat(fh.host.stateDir.resolve("sandboxes").resolve(stuck)).isDirectory();

        // The next pass retries the DEL (now succeeding) and creates the sandbox anew.
        fh.apply();
        assertThat(fh.host.stateDir.resolve("sandboxes").resolve(stuck)).doesNotExist();
        assertThat(FaultHost.running(fh.status("rc-stuck"))).isTrue();
        assertInvariants(1);
    }

    @Test
    void aMissingPluginFailsTheAddNamingItKeepsTheRecordUntilItsDelCanRunAndFreesTheLease() throws Exception {
        // A network whose second plugin is not installed (yet).
        String conf = fh.conflist(fh.failpoints, fh.host.bridge, fh.subnet)
                .replace("\"type\": \"failpoint\", \"delegate\": \"portmap\"",
                        "\"type\": \"rc-late-plugin\", \"delegate\": \"portmap\"");
        Files.writeString(fh.conflistFile(), conf);
        fh.manifest("rc-late", "v1");

        TestHost.Run run = fh.sandlot("apply");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("plugin 'rc-late-plugin' not found in " + fh.bin + ", /usr/lib/cni");
        // The bridge's ADD was deleted (lease freed); the record stays: the missing plugin's DEL is owed.
        FaultHost.Leaks leaks = fh.leaks();
        assertThat(leaks.leases()).isEqualTo(base.leases());
        assertThat(leaks.records()).isEqualTo(base.records() + 1);
        assertThat(leaks.netns()).isEqualTo(base.netns());

        // A second pass: the owed DEL still cannot run, and a new attempt fails the same way; it does
        // not pile up leases, netns or records beyond the one owed DEL per attempt.
        assertThat(fh.sandlot("apply").exit()).isEqualTo(1);
        assertThat(fh.leaks().leases()).isEqualTo(base.leases());
        assertThat(fh.leaks().netns()).isEqualTo(base.netns());

        // The plugin gets installed: every owed DEL runs, the records go, the sandbox comes up.
        Files.copy(fh.bin.resolve("failpoint"), fh.bin.resolve("rc-late-plugin"));
        fh.apply();
        assertThat(FaultHost.running(fh.status("rc-late"))).isTrue();
        assertInvariants(1);
    }

    // ---- item 21 ------------------------------------------------------------------------------

    @Test
    void aHangingPluginIsKilledWithItsProcessTreeAndTeardownGetsAFreshDeadline() throws Exception {
        capTimeouts(Duration.ofSeconds(3));
        // The bridge allocates the address, then the plugin hangs (with a child holding its pipes).
        fh.failCni("ADD hang-after 1 *rc-hang*:eth0:bridge");
        fh.manifest("rc-hang", "v1");
        long start = System.nanoTime();
        TestHost.Run run = fh.sandlot("apply");
        long took = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("timed out").contains("killed together with");
        assertThat(took).as("one timeout, then a teardown that does not wait for it").isLessThan(30);
        assertThat(faultProcesses()).as("the hung plugin and its child were killed").isEmpty();
        // The teardown's DEL had its own deadline and freed the address the hung ADD had taken.
        assertThat(callsFor("rc-hang").stream().filter(c -> c.command().equals("DEL") && c.delegate().equals("bridge")))
                .hasSize(1);
        assertInvariants(0);

        // A DEL that hangs: killed, retried after the netns is gone, and the lease is freed.
        fh.apply();
        fh.failCni("DEL hang 1 *rc-hang*:eth0:bridge");
        Files.delete(fh.host.manifests.resolve("rc-hang.yaml"));
        fh.apply();
        assertThat(faultProcesses()).isEmpty();
        assertInvariants(0);
    }

    @Test
    void aHangingRunscRunIsKilledWithItsProcessTreeAndTheSandboxIsRetried() throws Exception {
        fh.wrapRunsc();
        capTimeouts(Duration.ofSeconds(3));
        fh.failRunsc("run hang 1 *rc-stall*");
        fh.manifest("rc-stall", "v1");
        TestHost.Run run = fh.sandlot("apply");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("rc-stall: runsc run:").contains("timed out");
        assertThat(faultProcesses()).as("the hung runsc and its child were killed").isEmpty();
        assertInvariants(0);

        fh.apply();
        assertThat(FaultHost.running(fh.status("rc-stall"))).isTrue();
        assertInvariants(1);
    }

    // ---- item 22 ------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"empty-after", "garbage-after", "huge-after", "flood", "flood-after", "crash-after"})
    void aPluginThatPrintsNothingGarbageHundredMegabytesOrFloodsStderrIsAnErrorNotADeadlock(String action)
            throws Exception {
        fh.failCni("ADD " + action + " 1 *rc-noisy*:eth0:bridge");
        fh.manifest("rc-noisy", "v1");
        fh.manifest("rc-calm", "v1");
        long start = System.nanoTime();
        TestHost.Run run = fh.sandlot("apply");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60));
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("rc-noisy: CNI ADD " + fh.host.network);
        assertThat(run.err().length()).as("the error is bounded").isLessThan(20_000);
        assertPrintable(run.err());
        JsonNode noisy = fh.status("rc-noisy");
        assertThat(noisy.get("phase").asText()).isEqualTo("Failed");
        assertPrintable(noisy.get("message").asText());
        assertThat(FaultHost.running(fh.status("rc-calm"))).as("I5").isTrue();
        assertInvariants(1);

        fh.apply();
        assertInvariants(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage-after", "huge-after", "empty-after"})
    void aDelThatSucceedsWhateverItPrintsIsASuccess(String action) throws Exception {
        // DEL has no result to read: exit 0 is success, whatever the plugin printed.
        fh.manifest("rc-loud", "v1");
        fh.apply();
        fh.failCni("DEL " + action + " 2 *rc-loud*:eth0:*");
        Files.delete(fh.host.manifests.resolve("rc-loud.yaml"));
        fh.apply();
        assertThat(callsFor("rc-loud").stream().filter(c -> c.command().equals("DEL"))).hasSize(2);
        assertInvariants(0);
    }

    @Test
    void delThatFloodsStderrAndFailsIsRetriedAfterTheNetnsIsGone() throws Exception {
        fh.manifest("rc-flood", "v1");
        fh.apply();
        fh.failCni("DEL flood 1 *rc-flood*:eth0:bridge");
        Files.delete(fh.host.manifests.resolve("rc-flood.yaml"));
        fh.apply();
        assertThat(callsFor("rc-flood").stream().filter(c -> c.command().equals("DEL") && c.delegate().equals("bridge")))
                .extracting(FaultHost.CniCall::netns).containsExactly(true, false);
        assertInvariants(0);
    }

    @Test
    void aNetnsDeletedFromOutsideWhileItsDelRunsLeavesNoNatChain() throws Exception {
        fh.manifest("rc-race", "v1");
        fh.apply();
        String id = idOf("rc-race");
        fh.failCni("DEL delay:3 1 *rc-race*:eth0:bridge");
        Files.delete(fh.host.manifests.resolve("rc-race.yaml"));
        java.util.concurrent.CompletableFuture<TestHost.Run> apply =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> fh.sandlot("apply"));
        long deadline = System.currentTimeMillis() + 20_000;
        while (fh.cniCalls().stream().noneMatch(c -> c.id().equals(id) && c.action().equals("delay:3"))
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        // While the bridge's DEL waits, the netns goes (an admin's cleanup script, a reboot race).
        TestHost.sh("ip", "netns", "delete", id);
        TestHost.Run run = apply.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(run.exit()).as(run.out() + run.err()).isZero();
        assertThat(TestHost.sh("iptables", "-t", "nat", "-S")).doesNotContain(id);
        assertInvariants(0);
    }

    // ---- item 23 ------------------------------------------------------------------------------

    @Test
    void aCorruptOrEmptyAttachmentRecordStillGetsItsDelAndFreesTheIp() throws Exception {
        fh.manifest("rc-empty", "v1");
        fh.manifest("rc-garbled", "v1");
        fh.apply();
        String emptied = idOf("rc-empty");
        String garbled = idOf("rc-garbled");
        Files.write(attachment(emptied), new byte[0]);
        Files.writeString(attachment(garbled), "{\"index\": 1, \"config\": \u0000\u001b[2J not json");

        // The emptied one's manifest stays: it is recreated whole. The garbled one's goes.
        Files.delete(fh.host.manifests.resolve("rc-garbled.yaml"));
        TestHost.Run run = fh.apply();
        assertPrintable(run.out() + run.err());
        for (String id : List.of(emptied, garbled)) {
            assertThat(fh.cniCalls().stream().filter(c -> c.id().equals(id) && c.command().equals("DEL")
                    && c.delegate().equals("bridge"))).as("DEL of " + id).isNotEmpty();
            assertThat(fh.host.stateDir.resolve("sandboxes").resolve(id)).doesNotExist();
        }
        assertThat(idOf("rc-empty")).isNotEqualTo(emptied);
        assertInvariants(1);
    }

    private Path attachment(String id) throws Exception {
        try (Stream<Path> files = Files.list(fh.host.stateDir.resolve("sandboxes").resolve(id))) {
            return files.filter(p -> p.getFileName().toString().startsWith("attachment-01-")).findFirst().orElseThrow();
        }
    }

    // ---- item 24 ------------------------------------------------------------------------------

    @Test
    void delUsesTheConfigRecordedAtAddTimeNotTheCurrentOne() throws Exception {
        fh.manifest("rc-old", "v1");
        fh.apply();
        String old = idOf("rc-old");

        // The config changes: another failpoint log, and no ipMasq (whose NAT chain only a DEL with the
        // recorded config removes).
        Path newLog = fh.host.root.resolve("cni-new.failpoints");
        Files.writeString(newLog, "");
        Files.writeString(fh.conflistFile(), fh.conflist(newLog, fh.host.bridge, fh.subnet)
                .replace("\"ipMasq\": true", "\"ipMasq\": false"));
        Files.delete(fh.host.manifests.resolve("rc-old.yaml"));
        fh.apply();

        assertThat(fh.cniCalls().stream().filter(c -> c.id().equals(old) && c.command().equals("DEL")))
                .as("DEL went through the recorded config").hasSize(2);
        assertThat(FaultHost.cniCalls(newLog)).as("and never through the new one").isEmpty();
        assertThat(TestHost.sh("iptables", "-t", "nat", "-S")).doesNotContain(old);
        assertInvariants(0);

        // A sandbox created now uses the new config.
        fh.manifest("rc-new", "v1");
        fh.apply();
        assertThat(FaultHost.cniCalls(newLog)).extracting(FaultHost.CniCall::command).containsOnly("ADD");
        assertThat(fh.leaks().natRules()).as("no ipMasq now").isEqualTo(base.natRules());
        Files.delete(fh.host.manifests.resolve("rc-new.yaml"));
        fh.apply();
        assertInvariants(0);
    }

    // ---- item 25 ------------------------------------------------------------------------------

    @Test
    void aHostVethDeletedFromOutsideIsDetectedAndTheSandboxRecreatedOthersUntouched() throws Exception {
        fh.manifest("rc-veth", "v1");
        fh.apply();
        String id = idOf("rc-veth");
        JsonNode record = FaultHost.JSON.readTree(attachment(id).toFile());
        JsonNode result = record.get("result");
        String veth = null;
        for (JsonNode i : result.get("interfaces")) {
            if (!i.has("sandbox") && !i.get("name").asText().equals(fh.host.bridge)) {
                veth = i.get("name").asText();
            }
        }
        assertThat(veth).isNotNull();
        TestHost.sh("ip", "link", "delete", veth);

        TestHost.Run run = fh.apply();
        assertThat(run.out()).contains("rc-veth").contains("host interface " + veth + " missing")
                .doesNotContain("rc-bystander");
        assertThat(idOf("rc-veth")).isNotEqualTo(id);
        assertThat(TestHost.httpGet(fh.status("rc-veth").get("ip").asText())).isEqualTo("Hello World!\n");
        assertInvariants(1);
    }

    // ---- item 27 ------------------------------------------------------------------------------

    @Test
    void recordedOrphansAreCollectedWhateverIsLeftOfThemAndUnrecordedLookalikesAreKept() throws Exception {
        fh.manifest("rc-orphan", "v1");
        fh.manifest("rc-shell", "v1");
        fh.manifest("rc-nameless", "v1");
        fh.apply();
        String orphan = idOf("rc-orphan");
        String shell = idOf("rc-shell");
        String nameless = idOf("rc-nameless");
        // rc-shell: its process and runsc container are gone; netns, lease, NAT chain and record remain.
        String root = fh.host.runDir.resolve("runsc").toString();
        TestHost.sh("runsc", "--root", root, "kill", shell, "KILL");
        fh.awaitStatus("rc-shell", r -> !FaultHost.running(r), 10_000);
        TestHost.sh("runsc", "--root", root, "delete", "-force", shell);
        // rc-nameless: its sandbox record is lost; only its attachment records say what to DEL.
        Files.delete(fh.host.stateDir.resolve("sandboxes").resolve(nameless).resolve("sandbox.json"));
        for (String name : List.of("rc-orphan", "rc-shell", "rc-nameless")) {
            Files.delete(fh.host.manifests.resolve(name + ".yaml"));
        }

        fh.apply();
        for (String id : List.of(orphan, shell, nameless)) {
            assertThat(fh.cniCalls().stream().filter(c -> c.id().equals(id) && c.command().equals("DEL")))
                    .as("DEL of " + id).hasSize(2);
        }
        assertInvariants(0);
    }

    // ---- item 26 ------------------------------------------------------------------------------

    @Test
    void anExhaustedIpPoolIsAClearErrorOnThatSandboxAndItConvergesWhenAnIpFrees() throws Exception {
        // A /30: one address besides the gateway.
        try (FaultHost small = new FaultHost("rp", 4, "rp-", 30)) {
            FaultHost.Leaks none = small.leaks();
            small.manifest("rp-first", "v1");
            small.apply();
            small.manifest("rp-second", "v1");
            TestHost.Run run = small.sandlot("apply");
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("rp-second: CNI ADD " + small.host.network)
                    .contains("no IP addresses available");
            JsonNode second = small.status("rp-second");
            assertThat(second.get("phase").asText()).isEqualTo("Failed");
            assertThat(second.get("message").asText()).contains("no IP addresses available");
            assertThat(FaultHost.running(small.status("rp-first"))).isTrue();
            small.awaitLeaks(FaultHost.plus(none, 1), 10_000);

            // The address frees at the teardown of rp-first; the parallel pass may try rp-second
            // before that, so it converges at the latest on the pass after.
            Files.delete(small.host.manifests.resolve("rp-first.yaml"));
            if (small.sandlot("apply").exit() != 0) {
                small.apply();
            }
            assertThat(TestHost.httpGet(small.status("rp-second").get("ip").asText())).isEqualTo("Hello World!\n");
            small.awaitLeaks(FaultHost.plus(none, 1), 10_000);
            small.assertNoSecondAddWithoutDel();
        }
        assertInvariants(0);
    }

    static List<String> names(Path dir) throws Exception {
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        return names;
    }
}
