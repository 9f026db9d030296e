package dev.sandlot.manifest;

import static dev.sandlot.manifest.Manifests.MINIMAL;
import static dev.sandlot.manifest.Manifests.errors;
import static dev.sandlot.manifest.Manifests.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files as a whole: several documents, empty files, names declared twice, how errors print. */
class ManifestParserTest {

    @Test
    void everyDocumentOfAStreamIsAManifestAndEmptyDocumentsAreSkipped() {
        String yaml = "---\n" + MINIMAL + "---\n---\n# only a comment\n---\n" + MINIMAL.replace("web", "db") + "...\n";
        ParseResult result = parse(yaml);
        assertThat(result.errors()).isEmpty();
        assertThat(result.manifests()).extracting(Manifest::name).containsExactly("web", "db");
        assertThat(result.manifests()).extracting(m -> m.location().line()).containsExactly(2, 12);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n", "# nothing here\n", "---\n", "---\n...\n---\n", "   \n\n"})
    void aFileWithoutAnyManifestIsAnError(String yaml) {
        assertThat(errors(yaml)).containsExactly("1:1: no manifest in this file (delete the file to remove its sandboxes)");
    }

    @Test
    void oneNameTwiceInAFileIsAnErrorOnBothAndNeitherIsValid() {
        String yaml = MINIMAL + "---\n" + MINIMAL.replace("/bin/true", "/bin/false") + "---\n" + MINIMAL.replace("web", "db");
        ParseResult result = parse(yaml);
        assertThat(errors(result)).containsExactly(
                "3:18: metadata.name: another document in this file has the same name (line 10)",
                "10:18: metadata.name: another document in this file has the same name (line 3)");
        assertThat(result.manifests()).extracting(Manifest::name).containsExactly("db");
        assertThat(result.valid()).isFalse();
    }

    @Test
    void anInvalidDocumentDoesNotHideTheOthersErrors() {
        String yaml = MINIMAL.replace("/bin/true", "\"\"") + "---\n" + MINIMAL.replace("web", "Db");
        assertThat(errors(yaml)).containsExactly(
                "6:20: spec.process.args[0]: the program to run must not be empty",
                "10:18: metadata.name: must be 1 to 32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit");
    }

    @Test
    void namesDeclaredInSeveralFilesConflict() {
        Manifest a = ManifestParser.parse("a.yaml", MINIMAL.getBytes(StandardCharsets.UTF_8)).manifests().get(0);
        Manifest b = ManifestParser.parse("b.yaml", MINIMAL.getBytes(StandardCharsets.UTF_8)).manifests().get(0);
        Manifest c = ManifestParser.parse("c.yaml", MINIMAL.replace("web", "db").getBytes(StandardCharsets.UTF_8))
                .manifests().get(0);
        assertThat(ManifestParser.nameConflicts(List.of(a, b, c))).extracting(ManifestError::toString).containsExactly(
                "a.yaml:1:1: metadata.name: this sandbox name is also declared at b.yaml:1:1",
                "b.yaml:1:1: metadata.name: this sandbox name is also declared at a.yaml:1:1");
        assertThat(ManifestParser.nameConflicts(List.of(a, c))).isEmpty();
    }

    @Test
    void errorsPrintAsFileLineColumnFieldPathMessage() {
        ManifestError e = new ManifestError(new Location("web.yaml", 7, 11), "spec.process.cwd", "must be an absolute path");
        assertThat(e).hasToString("web.yaml:7:11: spec.process.cwd: must be an absolute path");
        assertThat(ManifestError.ofFile("web.yaml", "permission denied")).hasToString("web.yaml:1:1: permission denied");
    }

    @Test
    void renderedErrorsNeverCarryControlCharacters() {
        ParseResult result = ManifestParser.parse("evil\nweb.yaml:1:1: forged\u202e.yaml", "x: [".getBytes(StandardCharsets.UTF_8));
        String printed = result.errors().get(0).toString();
        assertThat(printed).doesNotContain("\n", "\u202e").startsWith("evil\\u000aweb.yaml:1:1: forged\\u202e.yaml:");
    }

    @Test
    void theSameBytesAlwaysGiveTheSameResult() {
        byte[] bytes = Manifests.FULL.getBytes(StandardCharsets.UTF_8);
        assertThat(ManifestParser.parse("t.yaml", bytes)).isEqualTo(ManifestParser.parse("t.yaml", bytes));
    }
}
