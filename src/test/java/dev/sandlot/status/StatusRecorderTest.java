package dev.sandlot.status;

import static dev.sandlot.plan.Fixtures.desired;
import static dev.sandlot.plan.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.apply.SandboxResult;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.plan.Fixtures;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import dev.sandlot.state.SandboxId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatusRecorderTest {
    private static final SandboxId NEW_ID = new SandboxId("sandlot-web.0000000a");

    @TempDir
    Path runDir;

    private static SandboxResult created(String name, boolean restart) {
        return new SandboxResult(name, List.of("created " + NEW_ID), NEW_ID, null, null, Duration.ofMillis(5), restart, 0);
    }

    private static SandboxResult failed(String name, String error) {
        return new SandboxResult(name, List.of(), null, error, "runsc run", Duration.ofMillis(5), false, 0);
    }

    private static Observation seen(Incarnation... incarnations) {
        return new Observation(incarnations.length == 0 ? Map.of()
                : Map.of(incarnations[0].name(), List.of(incarnations)), Fixtures.CREATED.plusSeconds(60));
    }

    @Test
    void aRestartCountsAndAReplaceDoesNot() {
        StatusRecorder recorder = new StatusRecorder(runDir);

        recorder.record(created("web", true));
        recorder.record(created("web", true));
        recorder.record(created("web", false));

        assertThat(recorder.history().get("web").restarts()).isEqualTo(2);
    }

    @Test
    void aFailureIsRememberedUntilTheNextSuccess() {
        StatusRecorder recorder = new StatusRecorder(runDir);

        recorder.record(failed("web", "web: runsc run: exit 128"));
        assertThat(recorder.history().get("web").lastError()).isEqualTo("web: runsc run: exit 128");

        recorder.record(created("web", false));
        assertThat(recorder.history().get("web").lastError()).isNull();
    }

    @Test
    void theStatusFileHoldsARowPerSandboxAndTheFileErrors() throws IOException {
        StatusRecorder recorder = new StatusRecorder(runDir);
        DesiredSandbox web = desired("web", "v1", "mynet");
        recorder.record(created("web", true));

        recorder.write(new DesiredState(Map.of("web", web), Map.of("/m/bad.yaml", List.of("/m/bad.yaml:1:1: oops"))),
                seen(running(web, "00000001", 100)));

        JsonNode file = StatusFile.JSON.readTree(runDir.resolve("status.json").toFile());
        assertThat(file.path("pid").asLong()).isEqualTo(ProcessHandle.current().pid());
        assertThat(file.path("fileErrors").path("/m/bad.yaml").get(0).asText()).isEqualTo("/m/bad.yaml:1:1: oops");
        JsonNode row = file.path("sandboxes").get(0);
        assertThat(row.path("name").asText()).isEqualTo("web");
        assertThat(row.path("phase").asText()).isEqualTo("Running");
        assertThat(row.path("ip").asText()).isEqualTo("10.0.0.102");
        assertThat(row.path("pid").asInt()).isEqualTo(100);
        assertThat(row.path("restarts").asInt()).isEqualTo(1);
        for (String key : List.of("name", "phase", "reason", "ip", "pid", "restarts", "message")) {
            assertThat(row.has(key)).as("the status contract always has '%s', even when null", key).isTrue();
        }
    }

    @Test
    void theHistorySurvivesARestartOfTheDaemonThroughTheStatusFile() throws IOException {
        StatusRecorder before = new StatusRecorder(runDir);
        DesiredSandbox web = desired("web", "v1");
        before.record(created("web", true));
        before.record(failed("web", "web: netns: busy"));
        before.write(new DesiredState(Map.of("web", web), Map.of()), seen());

        StatusRecorder after = new StatusRecorder(runDir);

        assertThat(after.history().get("web").restarts()).isEqualTo(1);
        assertThat(after.history().get("web").lastError()).isEqualTo("web: netns: busy");
    }

    @Test
    void namesNeitherDesiredNorObservedAreForgotten() throws IOException {
        StatusRecorder recorder = new StatusRecorder(runDir);
        DesiredSandbox web = desired("web", "v1");
        recorder.record(created("web", true));
        recorder.record(created("gone", true));
        recorder.record(created("orphan", true));

        recorder.write(new DesiredState(Map.of("web", web), Map.of()), seen(running(desired("orphan", "v1"), "00000002", 7)));

        assertThat(recorder.history()).containsOnlyKeys("orphan", "web");
        assertThat(new StatusFile(runDir).readHistory()).containsOnlyKeys("orphan", "web");
    }

    @Test
    void aMissingOrCorruptStatusFileMeansNoHistory() throws IOException {
        assertThat(new StatusFile(runDir).readHistory()).isEmpty();

        Files.writeString(runDir.resolve("status.json"), "{\"history\": [");

        assertThat(new StatusFile(runDir).readHistory()).isEmpty();
        assertThat(new StatusRecorder(runDir).history()).isEmpty();
    }

    @Test
    void theStatusFileRoundTripsAndIsReplacedWhole() throws IOException {
        StatusFile file = new StatusFile(runDir);
        DesiredSandbox web = desired("web", "v1");
        List<SandboxStatus> rows = StatusBuilder.build(new DesiredState(Map.of("web", web), Map.of()), seen(), Map.of());
        Map<String, StatusBuilder.History> history = Map.of("web", StatusBuilderTest.history("boom", 3));
        StatusFile.Content content = new StatusFile.Content(Fixtures.CREATED, 42, rows, history,
                Map.of("/m/x.yaml", List.of("e")));

        file.write(content);
        file.write(content);

        StatusFile.Content back = StatusFile.JSON.readValue(file.path().toFile(), StatusFile.Content.class);
        assertThat(back).isEqualTo(content);
        assertThat(file.readHistory()).isEqualTo(history);
        try (var files = Files.list(runDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("status.json");
        }
    }
}
