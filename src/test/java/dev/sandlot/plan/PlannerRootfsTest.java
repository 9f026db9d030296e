package dev.sandlot.plan;

import static dev.sandlot.plan.Fixtures.desired;
import static dev.sandlot.plan.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.observe.Incarnation;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import dev.sandlot.observe.Observation;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StoredSandbox;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The spec hash is the manifest's alone; new content at the same archive path or image ref is
 * noticed through the digest recorded at create, compared with the one found on the host now.
 */
class PlannerRootfsTest {
    private static final String OLD = "sha256:" + "a".repeat(64);
    private static final String NEW = "sha256:" + "b".repeat(64);

    private static Incarnation runningOn(DesiredSandbox d, String digest) {
        Incarnation inc = running(d, "00000001", 100);
        SandboxRecord r = inc.stored().record();
        SandboxRecord withDigest = new SandboxRecord(r.format(), r.id(), r.name(), r.specHash(), r.spec(),
                r.sourceFile(), r.createdAt(), r.bootId(), digest);
        StoredSandbox s = inc.stored();
        return new Incarnation(inc.id(), new StoredSandbox(s.id(), withDigest, s.attachments(), s.exit(), s.pid(),
                s.problems()), inc.container(), inc.runtime(), inc.netnsExists(), inc.missingHostInterfaces(),
                inc.exitCode(), inc.exitedAt());
    }

    private static PlanContext digests(Map<String, String> now) {
        return PlanContext.at(Fixtures.CREATED.plusSeconds(60)).withRootfsDigests(now);
    }

    private static List<String> kinds(SandboxPlan plan) {
        return plan.actions().stream().map(a -> a.getClass().getSimpleName() + ":" + a.reason()).toList();
    }

    @Test
    void newContentBehindTheSameArchiveOrRefReplacesTheSandbox() {
        DesiredSandbox web = desired("web", "v1", "net");

        SandboxPlan plan = Planner.planOne("web", web, List.of(runningOn(web, OLD)), digests(Map.of("web", NEW)));

        assertThat(kinds(plan)).containsExactly("Teardown:" + Planner.ROOTFS_CHANGED, "Create:" + Planner.ROOTFS_CHANGED);
    }

    @Test
    void theSameContentKeepsTheSandbox() {
        DesiredSandbox web = desired("web", "v1", "net");

        assertThat(Planner.planOne("web", web, List.of(runningOn(web, OLD)), digests(Map.of("web", OLD))).inSync())
                .isTrue();
    }

    @Test
    void anUnknownDigestNowKeepsWhatRunsTheNextCreateReportsTheError() {
        DesiredSandbox web = desired("web", "v1", "net");

        assertThat(Planner.planOne("web", web, List.of(runningOn(web, OLD)), digests(Map.of())).inSync()).isTrue();
    }

    @Test
    void aRecordWithoutDigestIsADirectoryRootfsAndNeverComparedOnIt() {
        DesiredSandbox web = desired("web", "v1", "net");

        assertThat(Planner.planOne("web", web, List.of(runningOn(web, null)), digests(Map.of("web", NEW))).inSync())
                .isTrue();
    }

    @Test
    void aSpecChangeIsStillReportedAsSuch() {
        DesiredSandbox old = desired("web", "v1", "net");

        SandboxPlan plan = Planner.planOne("web", desired("web", "v2", "net"), List.of(runningOn(old, OLD)),
                digests(Map.of("web", NEW)));

        assertThat(kinds(plan)).containsExactly("Teardown:spec changed", "Create:spec changed");
    }

    @Test
    void theDigestsSurviveCompletingTheContext() {
        DesiredSandbox web = desired("web", "v1", "net");
        DesiredState state = new DesiredState(Map.of("web", web), Map.of());
        Observation observed = new Observation(Map.of("web", List.of(runningOn(web, OLD))), Fixtures.CREATED);

        PlanContext completed = digests(Map.of("web", NEW)).completedWith(state, observed, Set.of(), Map.of());

        assertThat(completed.rootfsDigests()).containsExactlyEntriesOf(Map.of("web", NEW));
        assertThat(Planner.plan(state, observed, completed).changes()).hasSize(1);
    }
}
