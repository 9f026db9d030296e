package dev.sandlot.apply;

import static dev.sandlot.host.RecordingProcessRunner.env;
import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static dev.sandlot.host.RecordingProcessRunner.stdinJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.host.ExecRequest;
import dev.sandlot.host.NetworkConfig;
import dev.sandlot.host.RunscContainer;
import dev.sandlot.manifest.SandboxSpec;
import dev.sandlot.plan.Fixtures;
import dev.sandlot.state.AttachmentRecord;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StateStore;
import dev.sandlot.state.StoredAttachment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxTeardownTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SandboxId ID = new SandboxId("sandlot-web.0123abcd");
    private static final int PID = 4242;
    /** mynet as it was when the sandbox was made; the conf dir now says bridge "br-now". */
    private static final String MYNET_THEN = """
            {"cniVersion": "0.4.0", "name": "mynet",
             "plugins": [{"type": "bridge", "bridge": "br-then", "ipam": {"type": "host-local", "subnet": "10.22.0.0/24"}}]}
            """;

    @TempDir
    Path dir;

    FakeHost fake;
    StateStore state;
    SandboxTeardown teardown;

    @BeforeEach
    void host() throws IOException {
        fake = new FakeHost(dir);
        state = fake.host.state();
        teardown = new SandboxTeardown(fake.host, Duration.ofSeconds(5));
    }

    private static JsonNode result(String address) throws IOException {
        return JSON.readTree("{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"br0\"}],"
                + "\"ips\":[{\"address\":\"" + address + "\",\"interface\":0}]}");
    }

    /** A sandbox as a create leaves it: records, attachments lo, eth0 (mynet), eth1 (other), netns, a running pid. */
    private void madeAndRunning() throws IOException {
        madeAndRunning(Fixtures.spec("web", "v1", "mynet", "other"));
    }

    /** As {@link #madeAndRunning()}, recorded with a spec written with these extra lines under spec:. */
    private void madeAndRunning(String specLines) throws IOException {
        madeAndRunning(fake.desired("web", "-f", fake.rootfs, List.of("mynet", "other"), specLines).manifest().spec());
    }

    private void madeAndRunning(SandboxSpec spec) throws IOException {
        state.writeSandbox(new SandboxRecord(StateStore.FORMAT, ID.value(), "web", "hash",
                spec, "/m/web.yaml", Instant.EPOCH, "boot"));
        state.writeAttachment(ID, AttachmentRecord.beforeAdd(0, "lo", "lo", NetworkConfig.loopback().bytes())
                .withResult(result("127.0.0.1/8")));
        state.writeAttachment(ID, AttachmentRecord.beforeAdd(1, "mynet", "eth0", MYNET_THEN.getBytes(StandardCharsets.UTF_8))
                .withResult(result("10.22.0.5/24")));
        state.writeAttachment(ID, AttachmentRecord.beforeAdd(2, "other", "eth1", FakeHost.OTHER.getBytes(StandardCharsets.UTF_8))
                .withResult(result("10.23.0.5/24")));
        Files.createFile(fake.netnsDir.resolve(ID.value()));
        fake.pids.put(ID.value(), PID);
        fake.writeStat(PID, 'S');
    }

    private static RunscContainer container() {
        return new RunscContainer(ID.value(), PID, "running", Path.of("/b"));
    }

    private ExecRequest del(String ifname) {
        return fake.runner.requests(env("CNI_COMMAND", "DEL").and(env("CNI_IFNAME", ifname))).get(0);
    }

    @Test
    void aRunningSandboxIsStoppedDeletedDetachedInReverseThenItsNetnsAndRecordsGo() throws Exception {
        madeAndRunning();

        teardown.teardown(ID, container(), false);

        assertThat(fake.calls()).containsExactly(
                "runsc kill -- " + ID + " TERM",
                "runsc delete -- " + ID,
                "CNI DEL bridge eth1 other",
                "CNI DEL bridge eth0 mynet",
                "CNI DEL loopback lo lo",
                "ip netns delete " + ID);
        assertThat(state.loadAll()).isEmpty();
        assertThat(fake.netnsDir.resolve(ID.value())).doesNotExist();
    }

    @Test
    void delReplaysTheRecordedConfigAndResultNotTheCurrentFile() throws Exception {
        madeAndRunning();

        teardown.teardown(ID, container(), false);

        JsonNode stdin = stdinJson(del("eth0"));
        assertThat(stdin.path("bridge").asText()).isEqualTo("br-then");
        assertThat(stdin.path("name").asText()).isEqualTo("mynet");
        assertThat(stdin.path("prevResult").path("ips").get(0).path("address").asText()).isEqualTo("10.22.0.5/24");
        assertThat(del("eth0").env()).containsEntry("CNI_NETNS", fake.netnsDir.resolve(ID.value()).toString())
                .containsEntry("CNI_CONTAINERID", ID.value());
    }

    @Test
    void theIpIsReleasedOnlyOnceTheProcessIsGone() throws Exception {
        madeAndRunning();
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "kill").thenReturn(r -> {
            assertThat(fake.runner.count(env("CNI_COMMAND", "DEL"))).isZero();
            fake.writeStat(PID, 'Z');
            return dev.sandlot.host.ExecResult.ok("");
        });

        teardown.teardown(ID, container(), false);

        List<String> calls = fake.calls();
        assertThat(calls.indexOf("runsc delete -- " + ID)).isLessThan(calls.indexOf("CNI DEL bridge eth0 mynet"));
    }

    @Test
    void aProcessThatIgnoresTermGetsKillAfterTheGracePeriodOfItsRecordedSpec() throws Exception {
        madeAndRunning("  terminationGracePeriod: 0s\n");
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "kill", "--", ID.value(), "TERM")
                .thenReturn(ok(""));

        teardown.teardown(ID, container(), false);

        assertThat(fake.calls()).startsWith("runsc kill -- " + ID + " TERM", "runsc kill -- " + ID + " KILL",
                "runsc delete -- " + ID);
    }

    @Test
    void theStopSignalIsTheOneItsSpecWasRecordedWith() throws Exception {
        madeAndRunning("  stopSignal: INT\n");

        teardown.teardown(ID, container(), false);

        assertThat(fake.calls()).first().isEqualTo("runsc kill -- " + ID + " INT");
    }

    @Test
    void aNonDefaultStopSignalGivesTheProcessItsWholeGracePeriodBeforeKill() throws Exception {
        madeAndRunning("  stopSignal: SIGUSR1\n  terminationGracePeriod: 1s\n");
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "kill", "--", ID.value(), "USR1")
                .thenReturn(ok("")); // ignored: the process keeps running
        long start = System.nanoTime();

        teardown.teardown(ID, container(), false);

        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(
                java.time.Duration.ofSeconds(1));
        assertThat(fake.calls()).startsWith("runsc kill -- " + ID + " USR1", "runsc kill -- " + ID + " KILL");
    }

    @Test
    void aProcessThatStopsWithinTheGracePeriodGetsNoKill() throws Exception {
        madeAndRunning("  stopSignal: INT\n  terminationGracePeriod: 30s\n");
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "kill", "--", ID.value(), "INT")
                .thenReturn(r -> {
                    // It takes a moment to shut down, well within its grace period.
                    new Thread(() -> {
                        try {
                            Thread.sleep(300);
                            fake.writeStat(PID, 'Z');
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }).start();
                    return dev.sandlot.host.ExecResult.ok("");
                });

        teardown.teardown(ID, container(), false);

        assertThat(fake.calls()).first().isEqualTo("runsc kill -- " + ID + " INT");
        assertThat(fake.runner.count(r -> r.argv().contains("KILL"))).isZero();
    }

    @Test
    void withoutAReadableRecordTheProcessGetsTermAndTheDefaultGracePeriod() throws Exception {
        madeAndRunning();
        Files.writeString(state.sandboxDir(ID).resolve("sandbox.json"), "{");
        teardown = new SandboxTeardown(fake.host, Duration.ZERO);
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "kill", "--", ID.value(), "TERM")
                .thenReturn(ok(""));

        teardown.teardown(ID, container(), false);

        assertThat(fake.calls()).startsWith("runsc kill -- " + ID + " TERM", "runsc kill -- " + ID + " KILL");
        assertThat(state.loadAll()).isEmpty();
    }

    @Test
    void aZombieOrVanishedProcessIsNotSignalled() throws Exception {
        madeAndRunning();
        fake.writeStat(PID, 'Z');

        teardown.teardown(ID, container(), false);

        assertThat(fake.calls()).first().isEqualTo("runsc delete -- " + ID);
        assertThat(fake.runner.count(r -> r.argv().contains("kill"))).isZero();
    }

    @Test
    void withoutAContainerRunscIsNotAskedUnlessProbing() throws Exception {
        madeAndRunning();

        teardown.teardown(ID, null, false);

        assertThat(fake.calls()).first().isEqualTo("CNI DEL bridge eth1 other");
        assertThat(fake.runner.count(r -> r.program().equals("runsc"))).isZero();
    }

    @Test
    void aDelThatFailsWithTheNetnsPresentIsRetriedAfterTheNetnsIsDeleted() throws Exception {
        madeAndRunning();
        fake.runner.when(env("CNI_COMMAND", "DEL").and(env("CNI_IFNAME", "eth0")))
                .thenReturn(fail(1, "plugin type=\"bridge\" failed: netlink: device busy"), ok(""));

        teardown.teardown(ID, container(), false);

        assertThat(fake.calls()).containsExactly(
                "runsc kill -- " + ID + " TERM",
                "runsc delete -- " + ID,
                "CNI DEL bridge eth1 other",
                "CNI DEL bridge eth0 mynet",
                "CNI DEL loopback lo lo",
                "ip netns delete " + ID,
                "CNI DEL bridge eth0 mynet",
                "iptables -w 5 -t nat -S");
        assertThat(state.loadAll()).isEmpty();
    }

    @Test
    void aDelThatKeepsFailingLeavesItsRecordAndDoesNotBlockANewIncarnation() throws Exception {
        madeAndRunning();
        fake.runner.when(env("CNI_COMMAND", "DEL").and(env("CNI_IFNAME", "eth0"))).thenReturn(fail(1, "bridge busy"));

        assertThatThrownBy(() -> teardown.teardown(ID, container(), false))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> {
                    ApplyException a = (ApplyException) e;
                    assertThat(a.blocking()).isFalse();
                    assertThat(a.step()).isEqualTo("CNI DEL after netns delete");
                })
                .hasMessageContaining("mynet/eth0")
                .hasMessageContaining(state.sandboxDir(ID).toString());

        assertThat(fake.netnsDir.resolve(ID.value())).doesNotExist();
        assertThat(state.load(ID).attachments()).extracting(StoredAttachment::ifname).containsExactly("eth0");
        assertThat(state.load(ID).record()).isNotNull();
    }

    @Test
    void aNetnsAlreadyGoneStillGetsEveryDelAndItsNatChainsRemovedByIdOnly() throws Exception {
        madeAndRunning();
        Files.delete(fake.netnsDir.resolve(ID.value()));
        fake.runner.whenArgv("iptables", "-w", "5", "-t", "nat", "-S").thenReturn(ok("""
                -P POSTROUTING ACCEPT
                -N CNI-aaaa
                -N CNI-bbbb
                -A POSTROUTING -s 10.22.0.5/32 -m comment --comment "name: \\"mynet\\" id: \\"%s\\"" -j CNI-aaaa
                -A CNI-aaaa -d 10.22.0.0/24 -m comment --comment "name: \\"mynet\\" id: \\"%s\\"" -j ACCEPT
                -A POSTROUTING -s 10.22.0.6/32 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-db.0123abcd\\"" -j CNI-bbbb
                -A CNI-bbbb -d 10.22.0.0/24 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-db.0123abcd\\"" -j ACCEPT
                """.formatted(ID, ID)));
        fake.runner.whenArgv("iptables", "-w", "5", "-t", "nat", "-D").thenReturn(ok(""));
        fake.runner.whenArgv("iptables", "-w", "5", "-t", "nat", "-F").thenReturn(ok(""));
        fake.runner.whenArgv("iptables", "-w", "5", "-t", "nat", "-X").thenReturn(ok(""));

        teardown.teardown(ID, null, false);

        List<String> calls = fake.calls();
        assertThat(calls).startsWith("CNI DEL bridge eth1 other", "CNI DEL bridge eth0 mynet", "CNI DEL loopback lo lo");
        assertThat(calls).doesNotContain("ip netns delete " + ID);
        assertThat(calls.subList(3, calls.size())).containsExactly(
                "iptables -w 5 -t nat -S",
                "iptables -w 5 -t nat -D POSTROUTING -s 10.22.0.5/32 -m comment --comment name: \"mynet\" id: \""
                        + ID + "\" -j CNI-aaaa",
                "iptables -w 5 -t nat -F CNI-aaaa",
                "iptables -w 5 -t nat -X CNI-aaaa");
        assertThat(state.loadAll()).isEmpty();
    }

    @Test
    void aCorruptAttachmentRecordStillGetsADelWithTheCurrentConfigOfItsNetwork() throws Exception {
        madeAndRunning();
        Files.writeString(state.sandboxDir(ID).resolve("attachment-01-eth0-mynet.json"), "{\"format\":1,\"conf");
        Files.write(state.sandboxDir(ID).resolve("attachment-00-lo-lo.json"), new byte[0]);

        teardown.teardown(ID, container(), false);

        JsonNode eth0 = stdinJson(del("eth0"));
        assertThat(eth0.path("bridge").asText()).as("current config, by network name").isEqualTo("br-now");
        assertThat(eth0.has("prevResult")).isFalse();
        assertThat(stdinJson(del("lo")).path("type").asText()).isEqualTo("loopback");
        assertThat(state.loadAll()).isEmpty();
    }

    @Test
    void anAttachmentRecordedBeforeItsAddFinishedIsStillDeletedWithoutAResult() throws Exception {
        madeAndRunning();
        state.writeAttachment(ID, AttachmentRecord.beforeAdd(2, "other", "eth1",
                FakeHost.OTHER.getBytes(StandardCharsets.UTF_8)));

        teardown.teardown(ID, container(), false);

        assertThat(stdinJson(del("eth1")).has("prevResult")).isFalse();
        assertThat(state.loadAll()).isEmpty();
    }

    @Test
    void aCorruptRecordOfANetworkThatNoLongerExistsIsDroppedWithoutADel() throws Exception {
        madeAndRunning();
        Files.delete(fake.confDir.resolve("20-other.conflist"));
        Files.write(state.sandboxDir(ID).resolve("attachment-02-eth1-other.json"), new byte[0]);

        teardown.teardown(ID, container(), false);

        assertThat(fake.runner.count(env("CNI_IFNAME", "eth1"))).isZero();
        assertThat(state.loadAll()).isEmpty();
    }

    @Test
    void aFailedRunscDeleteKeepsTheIpTheNetnsAndTheRecords() throws Exception {
        madeAndRunning();
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "delete").thenReturn(fail(1, "permission denied"));
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "state").thenReturn(
                ok("{\"id\":\"" + ID + "\",\"pid\":" + PID + ",\"status\":\"running\"}"));

        assertThatThrownBy(() -> teardown.teardown(ID, container(), false))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> {
                    assertThat(((ApplyException) e).step()).isEqualTo("runsc delete");
                    assertThat(((ApplyException) e).blocking()).isTrue();
                });

        assertThat(fake.runner.count(env("CNI_COMMAND", "DEL"))).isZero();
        assertThat(fake.netnsDir.resolve(ID.value())).exists();
        assertThat(state.load(ID).attachments()).hasSize(3);
    }

    @Test
    void aFailedNetnsDeleteKeepsTheRecordsAndBlocks() throws Exception {
        madeAndRunning();
        fake.runner.whenArgv("ip", "netns", "delete").thenReturn(fail(1, "Device or resource busy"));

        assertThatThrownBy(() -> teardown.teardown(ID, container(), false))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> {
                    assertThat(((ApplyException) e).step()).isEqualTo("netns delete");
                    assertThat(((ApplyException) e).blocking()).isTrue();
                })
                .hasMessageContaining("Device or resource busy");

        assertThat(state.load(ID).record()).isNotNull();
    }

    @Test
    void aRepeatedTeardownOfAnIdAlreadyGoneSucceedsAndTouchesNothing() throws Exception {
        madeAndRunning();
        teardown.teardown(ID, container(), false);
        fake.runner.clearRequests();

        teardown.teardown(ID, null, true);

        assertThat(fake.calls()).containsExactly("runsc delete -- " + ID);
        assertThat(state.loadAll()).isEmpty();
    }
}
