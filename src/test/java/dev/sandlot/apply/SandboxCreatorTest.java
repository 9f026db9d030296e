package dev.sandlot.apply;

import static dev.sandlot.host.RecordingProcessRunner.env;
import static dev.sandlot.host.RecordingProcessRunner.exit;
import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.stdinJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.host.ExecRequest;
import dev.sandlot.host.ExecResult;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.StoredAttachment;
import dev.sandlot.state.StoredSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxCreatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    FakeHost fake;
    SandboxCreator creator;

    @BeforeEach
    void host() throws IOException {
        fake = new FakeHost(dir);
        creator = new SandboxCreator(fake.host, new SandboxTeardown(fake.host, Duration.ZERO), new SplittableRandom(42));
    }

    private SandboxId create(DesiredSandbox d) throws ApplyException {
        return creator.create(d);
    }

    /** The id the next create will use (the creator draws it from a seeded random). */
    private static SandboxId nextId(String name) {
        return SandboxId.newFor(name, new SplittableRandom(42));
    }

    /** The runsc run call of {@code id}: detached, its bundle, a pid file in its state folder. */
    private static String run(SandboxId id) {
        return "runsc run -detach -bundle $T/state/sandboxes/" + id + "/bundle -pid-file $T/state/sandboxes/" + id
                + "/pid -- " + id;
    }

    private List<SandboxId> recordedIds() throws IOException {
        return fake.host.state().loadAll().stream().map(StoredSandbox::id).toList();
    }

    @Test
    void aCreateMakesTheNetnsThenLoopbackThenEachNetworkThenRunsRunscIntoTheLogFile() throws Exception {
        SandboxId id = create(fake.desired("web", "mynet", "other"));

        assertThat(id).isEqualTo(nextId("web"));
        assertThat(fake.calls()).containsExactly(
                "ip netns add " + id,
                "CNI ADD loopback lo lo",
                "CNI ADD bridge eth0 mynet",
                "CNI ADD bridge eth1 other",
                run(id));
        ExecRequest run = fake.runner.last();
        assertThat(run.outputFile()).isEqualTo(fake.host.state().logFile("web"));
        assertThat(fake.host.state().logFile("web")).hasContent("runsc: started");
    }

    @Test
    void eachCniCallGetsTheIdTheNetnsPathAndOnlyTheCniEnvironment() throws Exception {
        SandboxId id = create(fake.desired("web", "mynet"));

        ExecRequest add = fake.runner.requests(env("CNI_IFNAME", "eth0")).get(0);
        assertThat(add.argv()).containsExactly(fake.binDir.resolve("bridge").toString());
        assertThat(add.env()).containsEntry("CNI_CONTAINERID", id.value())
                .containsEntry("CNI_NETNS", fake.netnsDir.resolve(id.value()).toString())
                .containsEntry("CNI_PATH", fake.binDir.toString())
                .containsOnlyKeys("CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_PATH", "PATH");
        assertThat(stdinJson(add).path("bridge").asText()).isEqualTo("br-now");
    }

    @Test
    void theSandboxRecordIsWrittenBeforeAnythingIsCreated() throws Exception {
        AtomicReference<StoredSandbox> seenAtNetnsAdd = new AtomicReference<>();
        fake.runner.whenArgv("ip", "netns", "add").thenReturn(r -> {
            seenAtNetnsAdd.set(fake.host.state().load(new SandboxId(r.argv().get(3))));
            Files.createFile(fake.netnsDir.resolve(r.argv().get(3)));
            return ExecResult.ok("");
        });
        DesiredSandbox web = fake.desired("web", "mynet");

        create(web);

        StoredSandbox s = seenAtNetnsAdd.get();
        assertThat(s.record()).isNotNull();
        assertThat(s.record().name()).isEqualTo("web");
        assertThat(s.record().specHash()).isEqualTo(web.specHash());
        assertThat(s.record().spec()).isEqualTo(web.manifest().spec());
        assertThat(s.record().sourceFile()).isEqualTo(web.sourceFile());
        assertThat(s.record().createdAt()).isEqualTo(fake.host.clock().instant());
        assertThat(s.attachments()).isEmpty();
    }

    @Test
    void eachAttachmentIsRecordedWithItsExactConfigBeforeAddAndCompletedWithTheResultAfter() throws Exception {
        AtomicReference<StoredAttachment> seenDuringAdd = new AtomicReference<>();
        fake.runner.when(env("CNI_IFNAME", "eth0")).thenReturn(r -> {
            SandboxId id = new SandboxId(r.env().get("CNI_CONTAINERID"));
            seenDuringAdd.set(fake.host.state().load(id).attachments().stream()
                    .filter(a -> a.ifname().equals("eth0")).findFirst().orElse(null));
            return ExecResult.ok(fake.addResult(r));
        });

        SandboxId id = create(fake.desired("web", "mynet"));

        StoredAttachment before = seenDuringAdd.get();
        assertThat(before).as("recorded before ADD ran").isNotNull();
        assertThat(before.added()).isFalse();
        assertThat(before.index()).isEqualTo(1);
        assertThat(before.network()).isEqualTo("mynet");
        assertThat(new String(before.record().configBytes(), StandardCharsets.UTF_8)).isEqualTo(FakeHost.MYNET);
        List<StoredAttachment> after = fake.host.state().load(id).attachments();
        assertThat(after).extracting(StoredAttachment::ifname).containsExactly("lo", "eth0");
        assertThat(after).allSatisfy(a -> assertThat(a.added()).isTrue());
        assertThat(after.get(1).record().result().path("ips").get(0).path("address").asText()).isEqualTo("10.22.0.5/24");
    }

    @Test
    void theBundleRunsInTheNetnsAndCgroupOfItsId() throws Exception {
        SandboxId id = create(fake.desired("web", "mynet"));

        JsonNode config = JSON.readTree(fake.host.state().bundleDir(id).resolve("config.json").toFile());
        assertThat(config.path("root").path("path").asText()).isEqualTo(fake.rootfs.toString());
        assertThat(config.path("linux").path("cgroupsPath").asText()).isEqualTo("/sandlot/" + id);
        assertThat(config.path("linux").path("namespaces").findValuesAsText("path"))
                .contains(fake.netnsDir.resolve(id.value()).toString());
    }

    @Test
    void aSandboxWithoutNetworksGetsLoopbackOnly() throws Exception {
        SandboxId id = create(fake.desired("web"));

        assertThat(fake.calls()).containsExactly("ip netns add " + id, "CNI ADD loopback lo lo",
                run(id));
    }

    @Test
    void everyCreateGetsANewId() throws Exception {
        SandboxId first = create(fake.desired("web"));
        SandboxId second = create(fake.desired("web"));

        assertThat(second).isNotEqualTo(first);
        assertThat(recordedIds()).containsExactlyInAnyOrder(first, second);
    }

    // ---- failures: what was made is torn down ---------------------------------------------------

    @Test
    void aFailedNetnsCreateIsUndoneAndLeavesNoRecords() throws Exception {
        fake.runner.whenArgv("ip", "netns", "add").thenReturn(fail(1, "mount --make-shared failed: Operation not permitted"));
        SandboxId id = nextId("web");

        assertThatThrownBy(() -> create(fake.desired("web", "mynet")))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("netns"))
                .hasMessageStartingWith("web: netns: ")
                .hasMessageContaining("Operation not permitted");

        assertThat(fake.calls()).containsExactly("ip netns add " + id, "runsc delete -- " + id);
        assertThat(recordedIds()).isEmpty();
    }

    @Test
    void aFailedAddOfTheSecondNetworkDeletesEveryAttachmentInReverseThenTheNetns() throws Exception {
        fake.runner.when(env("CNI_IFNAME", "eth1").and(env("CNI_COMMAND", "ADD"))).thenReturn(exit(1,
                "{\"code\": 11, \"msg\": \"no IP addresses available in range set\"}", ""));
        SandboxId id = nextId("web");

        assertThatThrownBy(() -> create(fake.desired("web", "mynet", "other")))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("CNI ADD other"))
                .hasMessageContaining("no IP addresses available");

        assertThat(fake.calls()).containsExactly(
                "ip netns add " + id,
                "CNI ADD loopback lo lo",
                "CNI ADD bridge eth0 mynet",
                "CNI ADD bridge eth1 other",
                "runsc delete -- " + id,
                "CNI DEL bridge eth1 other",
                "CNI DEL bridge eth0 mynet",
                "CNI DEL loopback lo lo",
                "ip netns delete " + id);
        assertThat(recordedIds()).isEmpty();
        assertThat(fake.netnsDir.resolve(id.value())).doesNotExist();
    }

    @Test
    void theHalfDoneAddIsDeletedWithoutAResultAndTheDoneOneWithItsResult() throws Exception {
        fake.runner.when(env("CNI_IFNAME", "eth1").and(env("CNI_COMMAND", "ADD"))).thenReturn(fail(1, "boom"));

        assertThatThrownBy(() -> create(fake.desired("web", "mynet", "other"))).isInstanceOf(ApplyException.class);

        ExecRequest delEth1 = fake.runner.requests(env("CNI_COMMAND", "DEL").and(env("CNI_IFNAME", "eth1"))).get(0);
        ExecRequest delEth0 = fake.runner.requests(env("CNI_COMMAND", "DEL").and(env("CNI_IFNAME", "eth0"))).get(0);
        assertThat(stdinJson(delEth1).has("prevResult")).isFalse();
        assertThat(stdinJson(delEth0).path("prevResult").path("ips").get(0).path("address").asText())
                .isEqualTo("10.22.0.5/24");
    }

    @Test
    void aFailedRunscRunTearsEverythingDownAndSaysWhatRunscWrote() throws Exception {
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "run").thenReturn(r -> {
            Files.writeString(r.outputFile(), "creating container: cannot run with network enabled in root network namespace\n",
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return ExecResult.failed(128, "");
        });
        SandboxId id = nextId("web");

        assertThatThrownBy(() -> create(fake.desired("web", "mynet")))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("runsc run"))
                .hasMessageContaining("cannot run with network enabled in root network namespace");

        assertThat(fake.calls()).containsExactly(
                "ip netns add " + id,
                "CNI ADD loopback lo lo",
                "CNI ADD bridge eth0 mynet",
                run(id),
                "runsc delete -- " + id,
                "CNI DEL bridge eth0 mynet",
                "CNI DEL loopback lo lo",
                "ip netns delete " + id);
        assertThat(recordedIds()).isEmpty();
        assertThat(fake.host.state().logFile("web")).content().contains("cannot run with network enabled");
    }

    @Test
    void whenTheUndoFailsTooTheRecordsStayForTheNextPass() throws Exception {
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "run").thenReturn(fail(1, ""));
        fake.runner.whenArgv("ip", "netns", "delete").thenReturn(fail(1, "Device or resource busy"));
        SandboxId id = nextId("web");

        assertThatThrownBy(() -> create(fake.desired("web", "mynet")))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement().satisfies(s ->
                        assertThat(((ApplyException) s).step()).isEqualTo("netns delete")));

        assertThat(recordedIds()).containsExactly(id);
        StoredSandbox left = fake.host.state().load(id);
        assertThat(left.record()).isNotNull();
        assertThat(left.attachments()).as("their DELs succeeded").isEmpty();
    }

    @Test
    void aDelThatKeepsFailingKeepsItsAttachmentRecord() throws Exception {
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "run").thenReturn(fail(1, ""));
        fake.runner.when(env("CNI_COMMAND", "DEL").and(env("CNI_IFNAME", "eth0"))).thenReturn(fail(1, "bridge is busy"));
        SandboxId id = nextId("web");

        assertThatThrownBy(() -> create(fake.desired("web", "mynet"))).isInstanceOf(ApplyException.class);

        StoredSandbox left = fake.host.state().load(id);
        assertThat(left.attachments()).extracting(StoredAttachment::ifname).containsExactly("eth0");
        assertThat(left.record()).isNotNull();
    }

    // ---- preflight: nothing is created ----------------------------------------------------------

    @Test
    void aMissingRootfsIsAnErrorBeforeAnythingIsCreated() throws Exception {
        DesiredSandbox web = fake.desired("web", "-f", dir.resolve("no-such-rootfs"), List.of("mynet"), "");

        assertThatThrownBy(() -> create(web))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("rootfs"))
                .hasMessageContaining(dir.resolve("no-such-rootfs").toString())
                .hasMessageContaining("is not a directory");

        assertThat(fake.runner.requests()).isEmpty();
        assertThat(recordedIds()).isEmpty();
    }

    @Test
    void anUnknownCniNetworkIsAnErrorBeforeAnythingIsCreated() throws Exception {
        assertThatThrownBy(() -> create(fake.desired("web", "mynet", "nope")))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("CNI config"))
                .hasMessageContaining("no CNI network named 'nope'")
                .hasMessageContaining("have: mynet, other");

        assertThat(fake.runner.requests()).isEmpty();
        assertThat(recordedIds()).isEmpty();
    }

    @Test
    void aMissingMountSourceIsAnErrorBeforeAnythingIsCreated() throws Exception {
        Path source = dir.resolve("www");
        DesiredSandbox web = fake.desired("web", "-f", fake.rootfs, List.of(),
                "  mounts: [{source: " + source + ", destination: /var/www}]\n");

        assertThatThrownBy(() -> create(web))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("mounts"))
                .hasMessageContaining(source.toString());

        assertThat(fake.runner.requests()).isEmpty();
        assertThat(recordedIds()).isEmpty();
    }
}
