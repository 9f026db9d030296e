package dev.sandlot.plan;

import static dev.sandlot.plan.Fixtures.desired;
import static dev.sandlot.plan.Fixtures.incarnation;
import static dev.sandlot.plan.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final PlanContext NOW = PlanContext.at(Fixtures.CREATED.plusSeconds(60));

    private static SandboxPlan planOne(DesiredSandbox desired, Incarnation... observed) {
        return Planner.planOne(desired == null ? observed[0].name() : desired.name(), desired, List.of(observed), NOW);
    }

    private static List<String> kinds(SandboxPlan plan) {
        return plan.actions().stream().map(a -> a.getClass().getSimpleName() + ":" + a.reason()).toList();
    }

    @Test
    void createsASandboxThatIsDesiredButAbsent() {
        assertThat(kinds(planOne(desired("web", "v1", "net")))).containsExactly("Create:new");
    }

    @Test
    void keepsAHealthyIncarnationWhoseSpecMatches() {
        DesiredSandbox web = desired("web", "v1", "net");
        assertThat(planOne(web, running(web, "00000001", 100)).inSync()).isTrue();
    }

    @Test
    void replacesWhenTheSpecChanged() {
        DesiredSandbox old = desired("web", "v1", "net");
        assertThat(kinds(planOne(desired("web", "v2", "net"), running(old, "00000001", 100))))
                .containsExactly("Teardown:spec changed", "Create:spec changed");
    }

    @Test
    void labelsAndSourceFileDoNotCauseAReplace() {
        DesiredSandbox web = desired("web", "v1", "net");
        DesiredSandbox renamed = new DesiredSandbox(new dev.sandlot.manifest.Manifest("web", Map.of("app", "x"),
                web.manifest().spec(), new dev.sandlot.manifest.Location("renamed.yaml", 3, 1)), "renamed.yaml", null);
        assertThat(planOne(renamed, running(web, "00000001", 100)).inSync()).isTrue();
    }

    @Test
    void recreatesWhenTheProcessExited() {
        DesiredSandbox web = desired("web", "v1", "net");
        assertThat(kinds(planOne(web, incarnation(web, "00000001", RuntimeState.EXITED, 100, true, true))))
                .containsExactly("Teardown:process exited", "Create:process exited");
    }

    @Test
    void recreatesWhenRunscLostTheContainer() {
        DesiredSandbox web = desired("web", "v1", "net");
        assertThat(kinds(planOne(web, incarnation(web, "00000001", RuntimeState.ABSENT, 100, true, true))))
                .containsExactly("Teardown:process gone", "Create:process gone");
    }

    @Test
    void finishesAnIncompleteCreateByTearingItDownAndStartingOver() {
        DesiredSandbox web = desired("web", "v1", "net");
        assertThat(kinds(planOne(web, incarnation(web, "00000001", RuntimeState.ABSENT, 100, true, false))))
                .containsExactly("Teardown:incomplete create", "Create:incomplete create");
    }

    @Test
    void recreatesWhenTheNetnsWasDeletedFromOutside() {
        DesiredSandbox web = desired("web", "v1", "net");
        assertThat(kinds(planOne(web, incarnation(web, "00000001", RuntimeState.RUNNING, 100, false, true))))
                .containsExactly("Teardown:netns missing", "Create:netns missing");
    }

    @Test
    void recreatesWhenAHostInterfaceWasDeletedFromOutside() {
        DesiredSandbox web = desired("web", "v1", "net");
        Incarnation healthy = running(web, "00000001", 100);
        Incarnation vethGone = new Incarnation(healthy.id(), healthy.stored(), healthy.container(), healthy.runtime(),
                true, List.of("veth1234"), null, null);
        assertThat(kinds(planOne(web, vethGone)))
                .containsExactly("Teardown:host interface veth1234 missing", "Create:host interface veth1234 missing");
    }

    @Test
    void tearsDownEveryIncarnationOfANameWithoutManifest() {
        DesiredSandbox web = desired("web", "v1", "net");
        assertThat(kinds(Planner.planOne("web", null, List.of(running(web, "00000001", 1), running(web, "00000002", 2)),
                NOW)))
                .containsExactly("Teardown:no manifest", "Teardown:no manifest");
    }

    @Test
    void keepsOneHealthyIncarnationAndRemovesExtraOnes() {
        DesiredSandbox web = desired("web", "v1", "net");
        Incarnation stale = running(desired("web", "v0", "net"), "00000001", 1);
        Incarnation good = running(web, "00000002", 2);
        SandboxPlan plan = planOne(web, stale, good);
        assertThat(kinds(plan)).containsExactly("Teardown:extra incarnation");
        assertThat(((Action.Teardown) plan.actions().get(0)).incarnation()).isSameAs(stale);
    }

    @Test
    void aContainerWithoutRecordIsRemovedAndTheSandboxCreatedAfresh() {
        DesiredSandbox web = desired("web", "v1", "net");
        Incarnation healthy = running(web, "00000001", 100);
        Incarnation unrecorded = new Incarnation(healthy.id(), null, healthy.container(), RuntimeState.RUNNING, true,
                List.of(), null, null);
        assertThat(kinds(planOne(web, unrecorded)))
                .containsExactly("Teardown:unrecorded container", "Create:unrecorded container");
    }

    @Test
    void plansEveryNameDesiredOrObservedAndIsInSyncOnlyWhenNothingChanges() {
        DesiredSandbox a = desired("a", "v1");
        DesiredSandbox b = desired("b", "v1");
        DesiredState desired = new DesiredState(Map.of("a", a, "b", b), Map.of());
        Observation observed = new Observation(Map.of(
                "a", List.of(running(a, "00000001", 1)),
                "gone", List.of(running(desired("gone", "v1"), "00000002", 2))), Instant.EPOCH);
        Plan plan = Planner.plan(desired, observed, NOW);
        assertThat(plan.sandboxes()).extracting(SandboxPlan::name).containsExactly("a", "b", "gone");
        assertThat(plan.changes()).extracting(SandboxPlan::describe)
                .containsExactly("+ create   b (new)", "- delete   gone (no manifest)");
        assertThat(plan.inSync()).isFalse();
        assertThat(Planner.plan(new DesiredState(Map.of("a", a), Map.of()),
                new Observation(Map.of("a", List.of(running(a, "00000001", 1))), Instant.EPOCH), NOW).inSync()).isTrue();
    }

    @Test
    void describesReplaceAndRecreateDifferently() {
        DesiredSandbox web = desired("web", "v1", "net");
        assertThat(planOne(desired("web", "v2", "net"), running(web, "00000001", 1)).describe())
                .isEqualTo("~ replace  web (spec changed)");
        assertThat(planOne(web, incarnation(web, "00000001", RuntimeState.EXITED, 1, true, true)).describe())
                .isEqualTo("~ recreate web (process exited)");
    }

    private static DesiredSandbox withPolicy(String name, dev.sandlot.manifest.RestartPolicy policy) {
        DesiredSandbox d = desired(name, "v1", "net");
        var spec = d.manifest().spec();
        var changed = new dev.sandlot.manifest.SandboxSpec(spec.rootfs(), spec.process(), spec.hostname(),
                spec.networks(), spec.mounts(), spec.resources(), policy);
        return DesiredSandbox.of(new dev.sandlot.manifest.Manifest(name, Map.of(), changed, d.manifest().location()),
                d.sourceFile());
    }

    private static PlanContext after(int seconds, int consecutiveRestarts) {
        return new PlanContext(Fixtures.CREATED.plusSeconds(1 + seconds), CrashLoopPolicy.DEFAULT,
                Map.of("web", consecutiveRestarts));
    }

    @Test
    void theFirstRestartAfterACrashIsImmediate() {
        DesiredSandbox web = desired("web", "v1", "net");
        Incarnation crashed = Fixtures.ended(running(web, "00000001", 1), 1, Fixtures.CREATED.plusSeconds(1));
        SandboxPlan plan = Planner.planOne("web", web, List.of(crashed), after(0, 0));
        assertThat(kinds(plan)).containsExactly("Teardown:process exited", "Create:process exited");
        assertThat(plan.restartAttempt()).isEqualTo(1);
    }

    @Test
    void consecutiveRestartsWaitTenSecondsDoublingUpToFiveMinutes() {
        DesiredSandbox web = desired("web", "v1", "net");
        Incarnation crashed = Fixtures.ended(running(web, "00000001", 1), 1, Fixtures.CREATED.plusSeconds(1));
        SandboxPlan waiting = Planner.planOne("web", web, List.of(crashed), after(5, 1));
        assertThat(waiting.inSync()).isTrue();
        assertThat(waiting.waiting()).isEqualTo("CrashLoopBackOff");
        assertThat(waiting.retryAfter()).hasSeconds(5);
        SandboxPlan due = Planner.planOne("web", web, List.of(crashed), after(10, 1));
        assertThat(kinds(due)).containsExactly("Teardown:process exited", "Create:process exited");
        assertThat(due.restartAttempt()).isEqualTo(2);
        assertThat(Planner.planOne("web", web, List.of(crashed), after(39, 3)).retryAfter()).hasSeconds(1);
        assertThat(Planner.planOne("web", web, List.of(crashed), after(100, 10)).retryAfter()).hasSeconds(200);
    }

    @Test
    void aSandboxThatRanTenMinutesRestartsAtOnceAndStartsTheCountOver() {
        DesiredSandbox web = desired("web", "v1", "net");
        Incarnation longRun = Fixtures.ended(running(web, "00000001", 1), 1, Fixtures.CREATED.plusSeconds(600));
        SandboxPlan plan = Planner.planOne("web", web, List.of(longRun),
                new PlanContext(Fixtures.CREATED.plusSeconds(601), CrashLoopPolicy.DEFAULT, Map.of("web", 7)));
        assertThat(plan.inSync()).isFalse();
        assertThat(plan.restartAttempt()).isEqualTo(1);
    }

    @Test
    void neverKeepsTheEndedSandboxWhateverItsExitCode() {
        DesiredSandbox web = withPolicy("web", dev.sandlot.manifest.RestartPolicy.Never);
        for (Integer code : new Integer[] {0, 3, null}) {
            Incarnation ended = Fixtures.ended(running(web, "00000001", 1), code, Fixtures.CREATED.plusSeconds(1));
            assertThat(Planner.planOne("web", web, List.of(ended), after(60, 0)).inSync()).as("code " + code).isTrue();
        }
    }

    @Test
    void onFailureRestartsOnlyANonZeroOrUnknownExit() {
        DesiredSandbox web = withPolicy("web", dev.sandlot.manifest.RestartPolicy.OnFailure);
        Incarnation ok = Fixtures.ended(running(web, "00000001", 1), 0, Fixtures.CREATED.plusSeconds(1));
        Incarnation failed = Fixtures.ended(running(web, "00000001", 1), 2, Fixtures.CREATED.plusSeconds(1));
        Incarnation unknown = Fixtures.ended(running(web, "00000001", 1), null, Fixtures.CREATED.plusSeconds(1));
        assertThat(Planner.planOne("web", web, List.of(ok), after(60, 0)).inSync()).isTrue();
        assertThat(Planner.planOne("web", web, List.of(failed), after(60, 0)).inSync()).isFalse();
        assertThat(Planner.planOne("web", web, List.of(unknown), after(60, 0)).inSync()).isFalse();
    }

    @Test
    void aSpecChangeReplacesAnEndedSandboxWithoutWaitingForTheBackOff() {
        DesiredSandbox old = desired("web", "v1", "net");
        Incarnation crashed = Fixtures.ended(running(old, "00000001", 1), 1, Fixtures.CREATED.plusSeconds(1));
        SandboxPlan plan = Planner.planOne("web", desired("web", "v2", "net"), List.of(crashed), after(1, 5));
        assertThat(kinds(plan)).containsExactly("Teardown:spec changed", "Create:spec changed");
        assertThat(plan.restartAttempt()).isZero();
    }
}
