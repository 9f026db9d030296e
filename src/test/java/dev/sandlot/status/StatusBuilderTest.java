package dev.sandlot.status;

import static dev.sandlot.plan.Fixtures.desired;
import static dev.sandlot.plan.Fixtures.incarnation;
import static dev.sandlot.plan.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.plan.Fixtures;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import dev.sandlot.state.AttachmentRecord;
import dev.sandlot.state.StoredAttachment;
import dev.sandlot.state.StoredSandbox;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusBuilderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Fixtures.CREATED.plusSeconds(3600);

    static StatusBuilder.History history(String lastError, int restarts) {
        return new StatusBuilder.History(lastError, restarts, 0, List.of());
    }

    private static DesiredState want(DesiredSandbox... sandboxes) {
        Map<String, DesiredSandbox> byName = new HashMap<>();
        for (DesiredSandbox d : sandboxes) {
            byName.put(d.name(), d);
        }
        return new DesiredState(byName, Map.of());
    }

    private static Observation seen(Incarnation... incarnations) {
        Map<String, List<Incarnation>> byName = new HashMap<>();
        for (Incarnation i : incarnations) {
            byName.computeIfAbsent(i.name(), k -> new ArrayList<>()).add(i);
        }
        return new Observation(byName, NOW);
    }

    private static SandboxStatus one(DesiredState desired, Observation observed, Map<String, StatusBuilder.History> h) {
        List<SandboxStatus> rows = StatusBuilder.build(desired, observed, h);
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    /** {@code inc} with its eth0 (and only attachment after lo) result listing these addresses. */
    private static Incarnation withEth0Addresses(Incarnation inc, String... addresses) throws Exception {
        String ips = String.join(",", Arrays.stream(addresses).map(a -> "{\"address\":\"" + a + "\"}").toList());
        List<StoredAttachment> attachments = new ArrayList<>();
        for (StoredAttachment a : inc.stored().attachments()) {
            if (a.index() == 1) {
                AttachmentRecord r = AttachmentRecord.beforeAdd(1, a.network(), "eth0", "{}".getBytes(StandardCharsets.UTF_8))
                        .withResult(JSON.readTree("{\"ips\":[" + ips + "]}"));
                attachments.add(new StoredAttachment(a.fileName(), 1, a.network(), "eth0", r));
            } else {
                attachments.add(a);
            }
        }
        StoredSandbox s = inc.stored();
        return new Incarnation(inc.id(), new StoredSandbox(s.id(), s.record(), attachments, s.exit(), s.pid(), s.problems()),
                inc.container(), inc.runtime(), inc.netnsExists(), inc.missingHostInterfaces(), inc.exitCode(),
                inc.exitedAt());
    }

    @Test
    void aHealthyIncarnationIsRunningWithItsPidIpAgeAndSource() {
        DesiredSandbox web = desired("web", "v1", "mynet");
        Incarnation inc = running(web, "00000001", 100);

        SandboxStatus s = one(want(web), seen(inc), Map.of());

        assertThat(s.name()).isEqualTo("web");
        assertThat(s.phase()).isEqualTo(Phase.Running);
        assertThat(s.reason()).isNull();
        assertThat(s.pid()).isEqualTo(100);
        assertThat(s.ip()).isEqualTo("10.0.0.102");
        assertThat(s.since()).isEqualTo(Fixtures.CREATED);
        assertThat(s.id()).isEqualTo(inc.id().value());
        assertThat(s.source()).isEqualTo("web.yaml");
        assertThat(s.specHash()).isEqualTo(web.specHash());
        assertThat(s.message()).isEmpty();
        assertThat(s.restarts()).isZero();
    }

    @Test
    void theIpIsTheFirstIpv4OfEth0WithoutItsPrefix() throws Exception {
        DesiredSandbox web = desired("web", "v1", "mynet", "other");
        Incarnation inc = withEth0Addresses(running(web, "00000001", 100), "fd00::5/64", "10.1.2.3/24", "10.9.9.9/24");

        assertThat(one(want(web), seen(inc), Map.of()).ip()).isEqualTo("10.1.2.3");
    }

    @Test
    void aSandboxWithoutNetworksHasNoIp() {
        DesiredSandbox web = desired("web", "v1");

        assertThat(one(want(web), seen(running(web, "00000001", 100)), Map.of()).ip()).isNull();
    }

    @Test
    void aDesiredSandboxNotYetMadeIsPending() {
        SandboxStatus s = one(want(desired("web", "v1")), seen(), Map.of());

        assertThat(s.phase()).isEqualTo(Phase.Pending);
        assertThat(s.reason()).isEqualTo("NotCreated");
        assertThat(s.pid()).isNull();
        assertThat(s.id()).isNull();
    }

    @Test
    void aBrokenIncarnationIsPendingWithWhatIsWrong() {
        DesiredSandbox web = desired("web", "v1", "mynet");
        Incarnation noNetns = incarnation(web, "00000001", RuntimeState.RUNNING, 100, false, true);

        SandboxStatus s = one(want(web), seen(noNetns), Map.of());

        assertThat(s.phase()).isEqualTo(Phase.Pending);
        assertThat(s.reason()).isEqualTo("Recreating");
        assertThat(s.message()).isEqualTo("netns missing");
        assertThat(s.pid()).as("not kept, so no pid").isNull();
    }

    @Test
    void aSandboxWhoseCreateFailedIsFailedWithTheError() {
        DesiredSandbox web = desired("web", "v1");

        SandboxStatus s = one(want(web), seen(), Map.of("web", history("web: runsc run: exit 128", 0)));

        assertThat(s.phase()).isEqualTo(Phase.Failed);
        assertThat(s.reason()).isEqualTo("CreateFailed");
        assertThat(s.message()).isEqualTo("web: runsc run: exit 128");
    }

    @Test
    void aSandboxWithoutManifestIsTerminating() {
        Incarnation orphan = running(desired("web", "v1"), "00000001", 100);

        SandboxStatus s = one(want(), seen(orphan), Map.of());

        assertThat(s.phase()).isEqualTo(Phase.Terminating);
        assertThat(s.reason()).isEqualTo("NoManifest");
        assertThat(s.source()).isNull();
        assertThat(s.id()).isEqualTo(orphan.id().value());
    }

    @Test
    void aHeldManifestShowsManifestInvalidWithItsErrorWhileTheSandboxRuns() {
        DesiredSandbox web = desired("web", "v1");
        DesiredSandbox held = new DesiredSandbox(web.manifest(), web.sourceFile(),
                "web.yaml has errors; keeping its last good version (1 error, see sandlot validate)");

        SandboxStatus s = one(want(held), seen(running(web, "00000001", 100)), Map.of());

        assertThat(s.phase()).isEqualTo(Phase.Running);
        assertThat(s.reason()).isEqualTo("ManifestInvalid");
        assertThat(s.message()).contains("web.yaml has errors");
    }

    @Test
    void restartsComeFromTheHistory() {
        DesiredSandbox web = desired("web", "v1");

        SandboxStatus s = one(want(web), seen(running(web, "00000001", 100)), Map.of("web", history(null, 4)));

        assertThat(s.restarts()).isEqualTo(4);
        assertThat(s.phase()).isEqualTo(Phase.Running);
    }

    @Test
    void aRunningSandboxOutranksAnOldFailureInTheHistory() {
        DesiredSandbox web = desired("web", "v1");

        SandboxStatus s = one(want(web), seen(running(web, "00000001", 100)),
                Map.of("web", history("an earlier create failed", 1)));

        assertThat(s.phase()).isEqualTo(Phase.Running);
    }

    @Test
    void rowsAreOnePerNameDesiredOrObservedInNameOrder() {
        DesiredSandbox web = desired("web", "v1");
        DesiredSandbox api = desired("api", "v1");
        Incarnation orphan = running(desired("old", "v1"), "00000009", 101);

        List<SandboxStatus> rows = StatusBuilder.build(want(web, api), seen(running(web, "00000001", 100), orphan),
                Map.of());

        assertThat(rows).extracting(SandboxStatus::name).containsExactly("api", "old", "web");
        assertThat(rows).extracting(SandboxStatus::phase).containsExactly(Phase.Pending, Phase.Terminating, Phase.Running);
    }

    @Test
    void aSecondHealthyIncarnationDoesNotHideTheKeptOne() {
        DesiredSandbox web = desired("web", "v1");
        Incarnation kept = running(web, "00000001", 100);
        Incarnation extra = running(web, "00000002", 200);

        SandboxStatus s = one(want(web), seen(kept, extra), Map.of());

        assertThat(s.id()).isEqualTo(kept.id().value());
        assertThat(s.pid()).isEqualTo(100);
    }
}
