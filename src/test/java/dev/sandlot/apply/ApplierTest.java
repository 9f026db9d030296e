package dev.sandlot.apply;

import static dev.sandlot.host.RecordingProcessRunner.env;
import static dev.sandlot.host.RecordingProcessRunner.fail;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.ExecResult;
import dev.sandlot.host.NetworkConfig;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.plan.Action;
import dev.sandlot.plan.Fixtures;
import dev.sandlot.plan.Plan;
import dev.sandlot.plan.SandboxPlan;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.state.AttachmentRecord;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StateStore;
import dev.sandlot.state.StoredSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class ApplierTest {
    private static final int OLD_PID = 4100;

    @TempDir
    Path dir;

    FakeHost fake;
    Applier applier;

    @BeforeEach
    void host() throws IOException {
        fake = new FakeHost(dir);
        applier = new Applier(fake.host, 4, new SplittableRandom(7), Duration.ofSeconds(5));
    }

    /** An incarnation of web on disk and on the (fake) host: records, netns, a running pid. */
    private Incarnation running(String token) throws IOException {
        Incarnation inc = Fixtures.incarnation(Fixtures.desired("web", "old", "mynet"), token, RuntimeState.RUNNING,
                OLD_PID, true, true);
        SandboxId id = inc.id();
        StateStore state = fake.host.state();
        state.writeSandbox(new SandboxRecord(StateStore.FORMAT, id.value(), "web", "old-hash",
                Fixtures.spec("web", "old", "mynet"), "/m/web.yaml", Instant.EPOCH, "boot"));
        state.writeAttachment(id, AttachmentRecord.beforeAdd(0, "lo", "lo", NetworkConfig.loopback().bytes()));
        state.writeAttachment(id, AttachmentRecord.beforeAdd(1, "mynet", "eth0",
                FakeHost.MYNET.getBytes(StandardCharsets.UTF_8)));
        Files.createFile(fake.netnsDir.resolve(id.value()));
        fake.pids.put(id.value(), OLD_PID);
        fake.writeStat(OLD_PID, 'S');
        return inc;
    }

    private List<SandboxId> recordedIds() throws IOException {
        return fake.host.state().loadAll().stream().map(StoredSandbox::id).toList();
    }

    @Test
    void aReplaceTearsTheOldIncarnationDownCompletelyBeforeCreatingTheNewOne() throws Exception {
        Incarnation old = running("00000001");
        DesiredSandbox web = fake.desired("web", "mynet");

        SandboxResult r = applier.applyOne(new SandboxPlan("web", List.of(
                new Action.Teardown(old, "spec changed"), new Action.Create(web, "spec changed"))));

        assertThat(r.ok()).as("%s", r.error()).isTrue();
        assertThat(r.created()).isNotNull().isNotEqualTo(old.id());
        assertThat(r.restart()).isFalse();
        assertThat(r.done()).containsExactly("removed " + old.id() + " (spec changed)",
                "created " + r.created() + " (spec changed)");
        List<String> calls = fake.calls();
        assertThat(calls.indexOf("ip netns delete " + old.id())).isLessThan(calls.indexOf("ip netns add " + r.created()));
        assertThat(recordedIds()).containsExactly(r.created());
    }

    @Test
    void aRecreateAfterTheProcessWasLostCountsAsARestartWithItsAttempt() throws Exception {
        Incarnation old = running("00000001");

        SandboxResult r = applier.applyOne(new SandboxPlan("web", List.of(new Action.Teardown(old, "process exited"),
                new Action.Create(fake.desired("web", "mynet"), "process exited")), null, null, 3));

        assertThat(r.ok()).isTrue();
        assertThat(r.restart()).isTrue();
        assertThat(r.restartAttempt()).isEqualTo(3);
    }

    @Test
    void aNewSandboxIsNotARestart() {
        SandboxResult r = applier.applyOne(new SandboxPlan("web", List.of(new Action.Create(fake.desired("web"), "new"))));

        assertThat(r.ok()).isTrue();
        assertThat(r.restart()).isFalse();
    }

    @Test
    void aTeardownThatFailsWhileTheOldSandboxCouldStillBeInTheWayStopsThePlan() throws Exception {
        Incarnation old = running("00000001");
        fake.runner.whenArgv("ip", "netns", "delete").thenReturn(fail(1, "Device or resource busy"));

        SandboxResult r = applier.applyOne(new SandboxPlan("web", List.of(new Action.Teardown(old, "spec changed"),
                new Action.Create(fake.desired("web", "mynet"), "spec changed"))));

        assertThat(r.ok()).isFalse();
        assertThat(r.failedStep()).isEqualTo("netns delete");
        assertThat(r.error()).startsWith("web: netns delete: ");
        assertThat(r.created()).isNull();
        assertThat(fake.runner.count(r2 -> r2.argv().contains("add"))).isZero();
    }

    @Test
    void aLeftoverDelDoesNotStopTheNewIncarnationButIsReportedForARetry() throws Exception {
        Incarnation old = running("00000001");
        fake.runner.when(env("CNI_COMMAND", "DEL").and(env("CNI_CONTAINERID", old.id().value()))
                .and(env("CNI_IFNAME", "eth0"))).thenReturn(fail(1, "bridge busy"));

        SandboxResult r = applier.applyOne(new SandboxPlan("web", List.of(new Action.Teardown(old, "spec changed"),
                new Action.Create(fake.desired("web", "mynet"), "spec changed"))));

        assertThat(r.created()).isNotNull();
        assertThat(r.ok()).isFalse();
        assertThat(r.failedStep()).isEqualTo("CNI DEL after netns delete");
        assertThat(r.done()).containsExactly("created " + r.created() + " (spec changed)");
        assertThat(recordedIds()).containsExactlyInAnyOrder(old.id(), r.created());
    }

    @Test
    void aRestartIsCountedEvenWhenALeftoverDelOfTheOldIncarnationFailed() throws Exception {
        Incarnation old = running("00000001");
        fake.runner.when(env("CNI_COMMAND", "DEL").and(env("CNI_CONTAINERID", old.id().value()))
                .and(env("CNI_IFNAME", "eth0"))).thenReturn(fail(1, "bridge busy"));

        SandboxResult r = applier.applyOne(new SandboxPlan("web", List.of(new Action.Teardown(old, "process exited"),
                new Action.Create(fake.desired("web", "mynet"), "process exited")), null, null, 2));

        assertThat(r.created()).isNotNull();
        assertThat(r.restart()).isTrue();
        assertThat(r.restartAttempt()).isEqualTo(2);
    }

    @Test
    void aFailedCreateIsReportedWithItsStepAndNothingLeft() {
        fake.runner.whenArgv("runsc", "--root", fake.runscRoot.toString(), "run").thenReturn(fail(1, ""));

        SandboxResult r = applier.applyOne(new SandboxPlan("web", List.of(new Action.Create(fake.desired("web"), "new"))));

        assertThat(r.ok()).isFalse();
        assertThat(r.failedStep()).isEqualTo("runsc run");
        assertThat(r.created()).isNull();
        assertThat(r.done()).isEmpty();
    }

    @Test
    void differentNamesAreAppliedInParallelAndEachIsHeardAsItFinishes() throws Exception {
        CyclicBarrier both = new CyclicBarrier(2);
        fake.runner.whenArgv("ip", "netns", "add").thenReturn(r -> {
            try {
                both.await(5, TimeUnit.SECONDS); // only passes if the other name is being created too
            } catch (Exception e) {
                throw new AssertionError("the two sandboxes were not created at the same time", e);
            }
            Files.createFile(fake.netnsDir.resolve(r.argv().get(3)));
            return ExecResult.ok("");
        });
        List<String> heard = new CopyOnWriteArrayList<>();

        List<SandboxResult> results = applier.apply(new Plan(List.of(
                new SandboxPlan("db", List.of(new Action.Create(fake.desired("db"), "new"))),
                new SandboxPlan("in-sync", List.of()),
                new SandboxPlan("web", List.of(new Action.Create(fake.desired("web"), "new"))))),
                r -> heard.add(r.name()));

        assertThat(results).extracting(SandboxResult::name).containsExactly("db", "web");
        assertThat(results).allSatisfy(r -> assertThat(r.ok()).as("%s", r.error()).isTrue());
        assertThat(heard).containsExactlyInAnyOrder("db", "web");
    }

    @Test
    void aPlanInSyncDoesNothing() throws Exception {
        assertThat(applier.apply(new Plan(List.of(new SandboxPlan("web", List.of()))), r -> { })).isEmpty();
        assertThat(fake.runner.requests()).isEmpty();
    }
}
