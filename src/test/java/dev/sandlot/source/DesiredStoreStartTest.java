package dev.sandlot.source;

import static dev.sandlot.source.SourceFixtures.manifest;
import static dev.sandlot.source.SourceFixtures.validWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A daemon whose source cannot be read when it starts (issue 9: the repository is unreachable). */
class DesiredStoreStartTest {
    private static DesiredStore fromRecords() {
        return new DesiredStore(LastKnownGood.from(new DesiredState(
                Map.of("web", DesiredSandbox.of(manifest("web", "v1", "/m/a.yaml"), "/m/a.yaml")), Map.of())));
    }

    @Test
    void untilTheFirstSnapshotWhatTheRecordsSayRunsIsDesiredSoNothingIsRemoved() {
        DesiredStore store = fromRecords();
        store.unavailable("git: cannot fetch; nothing applied yet");

        assertThat(store.current().get("web")).isNotNull();
        assertThat(store.current().get("web").specHash()).isEqualTo(manifest("web", "v1", "x").specHash());
    }

    @Test
    void theFirstSnapshotThenDecidesAsAlways() {
        DesiredStore same = fromRecords();
        assertThat(same.update(List.of(validWith("/m/a.yaml", "web", "v1")))).as("adopted, not changed").isEmpty();

        DesiredStore gone = fromRecords();
        assertThat(gone.update(List.of())).containsExactly("web");
        assertThat(gone.current().get("web")).isNull();
    }
}
