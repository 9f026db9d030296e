package dev.sandlot.source;

import static dev.sandlot.source.SourceFixtures.invalid;
import static dev.sandlot.source.SourceFixtures.manifest;
import static dev.sandlot.source.SourceFixtures.valid;
import static dev.sandlot.source.SourceFixtures.validWith;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotMergerTest {
    private static final LastKnownGood NOTHING = new LastKnownGood(Map.of(), Map.of());

    private static DesiredState merge(List<FileResult> files, LastKnownGood last) {
        return SnapshotMerger.merge(files, last.byFile(), last.byName());
    }

    private static LastKnownGood lastGood(FileResult... files) {
        return LastKnownGood.from(merge(List.of(files), NOTHING));
    }

    @Test
    void aValidFileContributesEachOfItsSandboxes() {
        DesiredState d = merge(List.of(valid("/m/a.yaml", manifest("web", "v1", "/m/a.yaml"),
                manifest("db", "v1", "/m/a.yaml")), validWith("/m/b.yaml", "cache", "v1")), NOTHING);

        assertThat(d.sandboxes()).containsOnlyKeys("cache", "db", "web");
        assertThat(d.get("web").sourceFile()).isEqualTo("/m/a.yaml");
        assertThat(d.get("web").heldError()).isNull();
        assertThat(d.get("cache").sourceFile()).isEqualTo("/m/b.yaml");
        assertThat(d.hasErrors()).isFalse();
    }

    @Test
    void aFileWithErrorsKeepsTheSandboxesOfItsLastGoodParseMarkedHeld() {
        LastKnownGood last = lastGood(valid("/m/a.yaml", manifest("web", "v1", "/m/a.yaml"),
                manifest("db", "v1", "/m/a.yaml")));

        DesiredState d = merge(List.of(invalid("/m/a.yaml", "/m/a.yaml:3:1: mapping values are not allowed here")),
                last);

        assertThat(d.sandboxes()).containsOnlyKeys("db", "web");
        DesiredSandbox web = d.get("web");
        assertThat(web.specHash()).isEqualTo(manifest("web", "v1", "x").specHash());
        assertThat(web.sourceFile()).isEqualTo("/m/a.yaml");
        assertThat(web.heldError()).contains("/m/a.yaml has errors").contains("keeping its last good version")
                .contains("1 error,");
        assertThat(d.fileErrors()).containsOnlyKeys("/m/a.yaml");
        assertThat(d.fileErrors().get("/m/a.yaml")).containsExactly("/m/a.yaml:3:1: mapping values are not allowed here");
    }

    @Test
    void aFileThatNeverParsedContributesOnlyItsErrors() {
        DesiredState d = merge(List.of(invalid("/m/new.yaml", "e1", "e2"), validWith("/m/a.yaml", "web", "v1")),
                lastGood(validWith("/m/a.yaml", "web", "v1")));

        assertThat(d.sandboxes()).containsOnlyKeys("web");
        assertThat(d.fileErrors().get("/m/new.yaml")).containsExactly("e1", "e2");
    }

    @Test
    void aDeletedFileTakesItsSandboxesWithItEvenTheLastOne() {
        LastKnownGood last = lastGood(validWith("/m/a.yaml", "web", "v1"));

        DesiredState d = merge(List.of(), last);

        assertThat(d.sandboxes()).isEmpty();
        assertThat(d.hasErrors()).isFalse();
    }

    @Test
    void theLastGoodVersionIsKeptPerFileNotPerName() {
        // b.yaml breaks; a.yaml's sandboxes are unaffected and b.yaml's are held.
        LastKnownGood last = lastGood(validWith("/m/a.yaml", "web", "v1"), validWith("/m/b.yaml", "db", "v1"));

        DesiredState d = merge(List.of(validWith("/m/a.yaml", "web", "v2"), invalid("/m/b.yaml", "broken")), last);

        assertThat(d.get("web").specHash()).isEqualTo(manifest("web", "v2", "x").specHash());
        assertThat(d.get("web").heldError()).isNull();
        assertThat(d.get("db").heldError()).isNotNull();
    }

    @Test
    void aNameDeclaredByTwoFilesIsAnErrorOnBothAndKeepsItsLastGoodSpec() {
        LastKnownGood last = lastGood(validWith("/m/a.yaml", "web", "v1"));

        DesiredState d = merge(List.of(validWith("/m/a.yaml", "web", "v1"), validWith("/m/b.yaml", "web", "v2")), last);

        assertThat(d.fileErrors()).containsOnlyKeys("/m/a.yaml", "/m/b.yaml");
        assertThat(d.fileErrors().get("/m/a.yaml")).singleElement().asString()
                .contains("sandbox web is declared also in /m/b.yaml").contains("names must be unique");
        assertThat(d.fileErrors().get("/m/b.yaml")).singleElement().asString()
                .contains("sandbox web is declared also in /m/a.yaml");
        DesiredSandbox web = d.get("web");
        assertThat(web.specHash()).isEqualTo(manifest("web", "v1", "x").specHash());
        assertThat(web.sourceFile()).isEqualTo("/m/a.yaml");
        assertThat(web.heldError()).contains("declared in /m/a.yaml and /m/b.yaml");
    }

    @Test
    void aConflictKeepsTheSameSpecWhicheverFileIsListedFirst() {
        LastKnownGood last = lastGood(validWith("/m/b.yaml", "web", "v2"));
        FileResult a = validWith("/m/a.yaml", "web", "v1");
        FileResult b = validWith("/m/b.yaml", "web", "v2");

        for (int i = 0; i < 6; i++) {
            DesiredState d = merge(i % 2 == 0 ? List.of(a, b) : List.of(b, a), last);
            assertThat(d.get("web").specHash()).isEqualTo(manifest("web", "v2", "x").specHash());
            last = LastKnownGood.from(d);
        }
    }

    @Test
    void aConflictOverANameWithNoLastGoodVersionRunsNothing() {
        DesiredState d = merge(List.of(validWith("/m/a.yaml", "web", "v1"), validWith("/m/b.yaml", "web", "v2")),
                NOTHING);

        assertThat(d.sandboxes()).isEmpty();
        assertThat(d.fileErrors()).containsOnlyKeys("/m/a.yaml", "/m/b.yaml");
    }

    @Test
    void aNameTwiceInOneFileSaysSo() {
        DesiredState d = merge(List.of(valid("/m/a.yaml", manifest("web", "v1", "/m/a.yaml"),
                manifest("web", "v2", "/m/a.yaml"))), NOTHING);

        assertThat(d.fileErrors().get("/m/a.yaml")).hasSize(2)
                .allSatisfy(e -> assertThat(e).contains("declared twice in this file"));
    }

    @Test
    void aFileThatStopsParsingKeepsItsSandboxAgainstAnotherFileDeclaringTheSameName() {
        LastKnownGood last = lastGood(validWith("/m/a.yaml", "web", "v1"));
        DesiredState conflict = merge(List.of(validWith("/m/a.yaml", "web", "v1"), validWith("/m/b.yaml", "web", "v2")),
                last);
        assertThat(conflict.get("web").specHash()).isEqualTo(manifest("web", "v1", "x").specHash());

        DesiredState halfWritten = merge(List.of(invalid("/m/a.yaml", "/m/a.yaml:2:1: broken"),
                validWith("/m/b.yaml", "web", "v2")), LastKnownGood.from(conflict));

        assertThat(halfWritten.get("web").specHash()).isEqualTo(manifest("web", "v1", "x").specHash());
        assertThat(halfWritten.get("web").heldError()).isNotNull();
    }

    private static FileResult dependingOn(String file, String name, String... dependencies) {
        return SourceFixtures.parsed(file, SourceFixtures.yaml(name, "x")
                + "  dependsOn: [" + String.join(", ", dependencies) + "]\n");
    }

    @Test
    void aMissingDependencyMakesTheDeclaringFileInvalidWithTheItemNamed() {
        DesiredState d = merge(List.of(dependingOn("/m/web.yaml", "web", "db"), validWith("/m/cache.yaml", "cache", "v1")),
                NOTHING);

        assertThat(d.sandboxes()).containsOnlyKeys("cache");
        assertThat(d.fileErrors()).containsOnlyKeys("/m/web.yaml");
        assertThat(d.fileErrors().get("/m/web.yaml")).containsExactly(
                "/m/web.yaml:10:15: spec.dependsOn[0]: no sandbox named db is declared (a missing dependency)");
    }

    @Test
    void aCycleMakesEveryMembersFileInvalidAndKeepsTheirLastGoodVersions() {
        LastKnownGood last = lastGood(validWith("/m/a.yaml", "a", "v1"), validWith("/m/b.yaml", "b", "v1"));

        DesiredState d = merge(List.of(dependingOn("/m/a.yaml", "a", "b"), dependingOn("/m/b.yaml", "b", "a")), last);

        assertThat(d.fileErrors().get("/m/a.yaml")).containsExactly(
                "/m/a.yaml:10:15: spec.dependsOn[0]: dependency cycle a -> b -> a");
        assertThat(d.fileErrors().get("/m/b.yaml")).containsExactly(
                "/m/b.yaml:10:15: spec.dependsOn[0]: dependency cycle a -> b -> a");
        assertThat(d.get("a").heldError()).contains("/m/a.yaml has errors");
        assertThat(d.get("a").specHash()).isEqualTo(manifest("a", "v1", "x").specHash());
        assertThat(d.get("b").heldError()).isNotNull();
    }

    @Test
    void aDependencyOnAHeldSandboxIsNotMissing() {
        LastKnownGood last = lastGood(validWith("/m/db.yaml", "db", "v1"));

        DesiredState d = merge(List.of(dependingOn("/m/web.yaml", "web", "db"), invalid("/m/db.yaml", "broken")), last);

        assertThat(d.get("web").heldError()).isNull();
        assertThat(d.fileErrors()).containsOnlyKeys("/m/db.yaml");
    }

    @Test
    void aFileMadeInvalidByItsDependencyTakesItsDependentsWithIt() {
        // c depends on a missing name; b depends on c, which is then not declared: both files invalid.
        DesiredState d = merge(List.of(dependingOn("/m/b.yaml", "b", "c"), dependingOn("/m/c.yaml", "c", "gone")),
                NOTHING);

        assertThat(d.sandboxes()).isEmpty();
        assertThat(d.fileErrors().get("/m/c.yaml")).singleElement().asString().contains("no sandbox named gone");
        assertThat(d.fileErrors().get("/m/b.yaml")).singleElement().asString().contains("no sandbox named c");
    }
}
