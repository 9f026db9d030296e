package dev.sandlot.source;

import static dev.sandlot.source.SourceFixtures.invalid;
import static dev.sandlot.source.SourceFixtures.manifest;
import static dev.sandlot.source.SourceFixtures.parsed;
import static dev.sandlot.source.SourceFixtures.validWith;
import static dev.sandlot.source.SourceFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredStoreTest {
    private final DesiredStore store = new DesiredStore(new LastKnownGood(Map.of(), Map.of()));

    private static String hash(String name, String version) {
        return manifest(name, version, "x").specHash();
    }

    @Test
    void theFirstSnapshotChangesEveryNameInIt() {
        assertThat(store.update(List.of(validWith("/m/a.yaml", "web", "v1"), validWith("/m/b.yaml", "db", "v1"))))
                .containsExactly("db", "web");
        assertThat(store.current().sandboxes()).containsOnlyKeys("db", "web");
    }

    @Test
    void theSameSnapshotAgainChangesNothing() {
        List<FileResult> files = List.of(validWith("/m/a.yaml", "web", "v1"), validWith("/m/b.yaml", "db", "v1"));
        store.update(files);

        assertThat(store.update(files)).isEmpty();
        assertThat(store.update(List.of(files.get(1), files.get(0)))).as("file order").isEmpty();
    }

    @Test
    void formattingCommentsKeyOrderAndLabelsChangeNothing() {
        store.update(List.of(parsed("/m/a.yaml", yaml("web", "-f"))));
        String reformatted = """
                # the web server
                kind: Sandbox
                apiVersion: sandlot.dev/v1
                metadata: {name: web, labels: {team: blue}}   # labels never restart a sandbox
                spec:
                  process: {args: [/bin/httpd, "-f"]}
                  rootfs:     {path: "/srv/rootfs/web"}
                """;
        FileResult edited = parsed("/m/a.yaml", reformatted);
        assertThat(edited.valid()).as("%s", edited.errors()).isTrue();

        assertThat(store.update(List.of(edited))).isEmpty();
    }

    @Test
    void aSpecEditChangesThatNameOnly() {
        store.update(List.of(validWith("/m/a.yaml", "web", "v1"), validWith("/m/b.yaml", "db", "v1")));

        assertThat(store.update(List.of(validWith("/m/a.yaml", "web", "v2"), validWith("/m/b.yaml", "db", "v1"))))
                .containsExactly("web");
        assertThat(store.current().get("web").specHash()).isEqualTo(hash("web", "v2"));
    }

    @Test
    void aRenamedFileIsAChangeOfSourceButNotOfSpec() {
        store.update(List.of(validWith("/m/a.yaml", "web", "v1")));

        assertThat(store.update(List.of(validWith("/m/renamed.yaml", "web", "v1")))).containsExactly("web");
        assertThat(store.current().get("web").specHash()).isEqualTo(hash("web", "v1"));
        assertThat(store.current().get("web").sourceFile()).isEqualTo("/m/renamed.yaml");
    }

    @Test
    void aFileThatStopsParsingHoldsItsSandboxesUntilFixedWithoutFlapping() {
        store.update(List.of(validWith("/m/a.yaml", "web", "v1")));

        assertThat(store.update(List.of(invalid("/m/a.yaml", "/m/a.yaml:4:3: broken")))).containsExactly("web");
        DesiredSandbox held = store.current().get("web");
        assertThat(held.specHash()).isEqualTo(hash("web", "v1"));
        assertThat(held.heldError()).contains("/m/a.yaml has errors");
        assertThat(store.current().fileErrors()).containsOnlyKeys("/m/a.yaml");

        for (int relist = 0; relist < 5; relist++) {
            assertThat(store.update(List.of(invalid("/m/a.yaml", "/m/a.yaml:4:3: broken")))).isEmpty();
            assertThat(store.current().get("web").specHash()).isEqualTo(hash("web", "v1"));
        }

        assertThat(store.update(List.of(validWith("/m/a.yaml", "web", "v1")))).as("fixed as it was")
                .containsExactly("web");
        assertThat(store.current().get("web").heldError()).isNull();
        assertThat(store.current().hasErrors()).isFalse();
    }

    @Test
    void aFileThatNeverParsedAddsNothing() {
        assertThat(store.update(List.of(invalid("/m/a.yaml", "broken")))).isEmpty();
        assertThat(store.current().sandboxes()).isEmpty();
        assertThat(store.current().fileErrors()).containsOnlyKeys("/m/a.yaml");
    }

    @Test
    void deletingTheLastFileRemovesItsSandboxes() {
        store.update(List.of(validWith("/m/a.yaml", "web", "v1")));

        assertThat(store.update(List.of())).containsExactly("web");
        assertThat(store.current().sandboxes()).isEmpty();
    }

    @Test
    void deletingABrokenFileRemovesTheSandboxesItHeld() {
        store.update(List.of(validWith("/m/a.yaml", "web", "v1")));
        store.update(List.of(invalid("/m/a.yaml", "broken")));

        assertThat(store.update(List.of())).containsExactly("web");
        assertThat(store.current().sandboxes()).isEmpty();
        assertThat(store.current().hasErrors()).isFalse();
    }

    @Test
    void aConflictKeepsTheLastGoodSpecAcrossRepeatedRelistsAndEndsWhenOneFileGoes() {
        store.update(List.of(validWith("/m/a.yaml", "web", "v1")));
        List<FileResult> both = List.of(validWith("/m/a.yaml", "web", "v1"), validWith("/m/b.yaml", "web", "v2"));

        assertThat(store.update(both)).as("only its held state changed").containsExactly("web");
        for (int relist = 0; relist < 5; relist++) {
            // The folder source lists files sorted by name, so each relist gives the same order.
            assertThat(store.update(both)).isEmpty();
            assertThat(store.current().get("web").specHash()).isEqualTo(hash("web", "v1"));
            assertThat(store.current().fileErrors()).containsOnlyKeys("/m/a.yaml", "/m/b.yaml");
        }

        assertThat(store.update(List.of(validWith("/m/b.yaml", "web", "v2")))).containsExactly("web");
        assertThat(store.current().get("web").specHash()).isEqualTo(hash("web", "v2"));
        assertThat(store.current().get("web").heldError()).isNull();
    }

    @Test
    void anUnreadableSourceChangesNothingAndSaysWhyUntilTheNextGoodRead() {
        store.update(List.of(validWith("/m/a.yaml", "web", "v1")));
        DesiredState before = store.current();

        store.unavailable("manifests folder /m does not exist; nothing was changed");

        assertThat(store.current()).isSameAs(before);
        assertThat(store.sourceProblem()).contains("does not exist");
        assertThat(store.update(List.of(validWith("/m/a.yaml", "web", "v1")))).isEmpty();
        assertThat(store.sourceProblem()).isNull();
    }

    @Test
    void aDaemonStartedWithABrokenFileKeepsTheSandboxesRecordedFromIt() {
        DesiredStore fromRecords = new DesiredStore(LastKnownGood.from(new DesiredState(
                Map.of("web", DesiredSandbox.of(manifest("web", "v1", "/m/a.yaml"), "/m/a.yaml")), Map.of())));

        assertThat(fromRecords.update(List.of(invalid("/m/a.yaml", "broken")))).containsExactly("web");
        assertThat(fromRecords.current().get("web").specHash()).isEqualTo(hash("web", "v1"));
        assertThat(fromRecords.current().get("web").heldError()).isNotNull();
    }
}
