package dev.sandlot.manifest;

import static dev.sandlot.manifest.Manifests.MINIMAL;
import static dev.sandlot.manifest.Manifests.errors;
import static dev.sandlot.manifest.Manifests.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The YAML hazards of RELIABILITY.md §A.1-4: refused fast, located, nothing instantiated or expanded. */
@Timeout(10)
class SafeYamlTest {

    @Test
    void billionLaughsIsRefusedAtTheFirstAnchorWithoutExpanding() {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'i'; c++) {
            char p = (char) (c - 1);
            yaml.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 9; i++) {
                yaml.append(i == 0 ? "" : ",").append('*').append(p);
            }
            yaml.append("]\n");
        }
        long start = System.nanoTime();
        List<String> errors = errors(yaml.toString());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(errors).contains("1:4: a: anchors (&) are not allowed", "2:4: b: anchors (&) are not allowed",
                "2:8: b[0]: aliases (*) are not allowed", "9:32: i[8]: aliases (*) are not allowed");
        assertThat(errors).hasSizeLessThanOrEqualTo(101);
    }

    @Test
    void anchorsAndAliasesAreRefusedWhereverTheyAre() {
        String yaml = MINIMAL.replace("process: {args: [/bin/true]}", "process: &p {args: [&x /bin/true, *x]}")
                + "  hostname: *x\n";
        assertThat(errors(yaml)).containsExactly(
                "6:12: spec.process: anchors (&) are not allowed",
                "6:23: spec.process.args[0]: anchors (&) are not allowed",
                "6:37: spec.process.args[1]: aliases (*) are not allowed",
                "7:13: spec.hostname: aliases (*) are not allowed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!str web", "!foo web", "!<tag:yaml.org,2002:str> web", "! web", "!!binary d2Vi"})
    void explicitTagsAreRefused(String value) {
        assertThat(errors(MINIMAL + "  hostname: " + value + "\n"))
                .containsExactly("7:13: spec.hostname: tags (!) are not allowed");
    }

    @Test
    void globalJavaTagsAreRefusedAndNothingIsInstantiated() {
        String yaml = MINIMAL + "  hostname: !!java.net.URL [\"http://127.0.0.1:9/\"]\n"
                + "  networks: [!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://127.0.0.1:9/\"]]]]]\n";
        List<String> errors = errors(yaml);
        assertThat(errors).contains("7:13: spec.hostname: tags (!) are not allowed",
                "8:14: spec.networks[0]: tags (!) are not allowed");
        assertThat(errors).noneMatch(e -> e.contains("java"));
    }

    @Test
    void tagsOnKeysAndCollectionsAreRefused() {
        assertThat(errors(MINIMAL.replace("kind: Sandbox", "!!str kind: Sandbox")))
                .containsExactly("2:1: : tags (!) are not allowed".replace(": : ", ": "));
        assertThat(errors(MINIMAL.replace("metadata: {name: web}", "metadata: !!map {name: web}")))
                .containsExactly("3:11: metadata: tags (!) are not allowed");
    }

    @Test
    void mergeKeysAreRefused() {
        String yaml = MINIMAL.replace("process: {args: [/bin/true]}", "process: {<<: {args: [/bin/true]}}");
        assertThat(errors(yaml)).containsExactly(
                "6:12: spec.process.args: required field is missing",
                "6:13: spec.process: merge keys (<<) are not allowed");
        assertThat(errors(MINIMAL + "  <<: {hostname: x}\n")).containsExactly("7:3: spec: merge keys (<<) are not allowed");
    }

    @Test
    void duplicateKeysAreRefusedAtEveryDepth() {
        assertThat(errors(MINIMAL + "kind: Sandbox\n")).containsExactly("7:1: kind: duplicate key (first at line 2)");
        assertThat(errors(MINIMAL.replace("{name: web}", "{name: web, name: db}")))
                .containsExactly("3:23: metadata.name: duplicate key (first at line 3)");
        assertThat(errors(MINIMAL.replace("{args: [/bin/true]}", "{args: [/bin/true], env: {A: a, \"A\": b}}")))
                .containsExactly("6:44: spec.process.env.A: duplicate key (first at line 6)");
        assertThat(errors(MINIMAL + "  mounts:\n    - {source: /srv/a, destination: /a, source: /srv/b}\n"))
                .containsExactly("8:41: spec.mounts[0].source: duplicate key (first at line 8)");
        assertThat(errors(MINIMAL.replace("metadata: {name: web}", "metadata: {name: web, labels: {a: x, a: y}}")))
                .containsExactly("3:38: metadata.labels.a: duplicate key (first at line 3)");
    }

    @Test
    void nonScalarKeysAreRefused() {
        assertThat(errors(MINIMAL + "? [a, b]\n: c\n")).containsExactly("1:1: : keys must be plain strings, not a mapping or list"
                .replace("1:1: : ", "7:3: "));
    }

    @Test
    void directivesAreRefused() {
        assertThat(errors("%YAML 1.1\n---\n" + MINIMAL)).containsExactly("1:1: YAML directives (%YAML, %TAG) are not supported");
        assertThat(errors("%TAG !e! tag:example.com,2000:\n---\n" + MINIMAL))
                .containsExactly("1:1: YAML directives (%YAML, %TAG) are not supported");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[", "{a: ", "- ", "{a: [", "[{a: "})
    void deepNestingIsRefusedAtTheLimitWithoutRecursion(String opener) {
        String yaml = opener.repeat(10_000);
        List<String> errors = errors(yaml);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0)).startsWith("1:").endsWith(": nested deeper than 32 levels");
    }

    @Test
    void deepBlockIndentationIsRefused() {
        StringBuilder yaml = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            yaml.append(" ".repeat(i)).append("k").append(i).append(":\n");
        }
        assertThat(errors(yaml.toString())).singleElement().asString()
                .startsWith("33:33: k0.k1.k2").endsWith(": nested deeper than 32 levels");
    }

    @Test
    void oversizedFilesAreRefusedUnread() {
        byte[] big = new byte[ManifestParser.MAX_FILE_BYTES + 1];
        java.util.Arrays.fill(big, (byte) '#');
        assertThat(errors(parse(big))).containsExactly("1:1: file is larger than 256 KiB");
        byte[] atLimit = new byte[ManifestParser.MAX_FILE_BYTES];
        java.util.Arrays.fill(atLimit, (byte) '#');
        assertThat(errors(parse(atLimit))).containsExactly(
                "1:1: no manifest in this file (delete the file to remove its sandboxes)");
    }

    @Test
    void hugeScalarsAreRefused() {
        String yaml = MINIMAL + "  hostname: " + "a".repeat(20_000) + "\n";
        assertThat(errors(yaml)).containsExactly("7:13: spec.hostname: value is longer than 16 KiB");
        assertThat(errors(MINIMAL + "  hostname: \"" + "a".repeat(20_000) + "\"\n"))
                .containsExactly("7:13: spec.hostname: value is longer than 16 KiB");
    }

    @Test
    void hugeNumbersAreRefusedNotComputed() {
        String yaml = MINIMAL + "  resources: {memory: 1e999999, cpus: 1e999999, pids: " + "9".repeat(500) + "}\n";
        assertThat(errors(yaml)).containsExactly(
                "7:23: spec.resources.memory: must be a memory quantity such as 256Mi, 1Gi, 512M or 1000000 (bytes)",
                "7:39: spec.resources.cpus: must be a positive number of CPUs with at most 3 decimals, such as 0.5 or 2",
                "7:55: spec.resources.pids: must be between 1 and 4194304");
    }

    @Test
    void tooManyDocumentsAreRefused() {
        String yaml = ("---\n" + MINIMAL).repeat(101);
        List<String> errors = errors(yaml);
        assertThat(errors).last().asString().endsWith(": more than 100 documents in one file");
        assertThat(parse(yaml).manifests()).isEmpty();
    }

    @Test
    void tooManyNodesAreRefused() {
        String yaml = "[" + "a,".repeat(60_000) + "a]";
        assertThat(errors(yaml)).singleElement().asString().endsWith(": more than 50000 YAML nodes in one file");
    }

    @Test
    void errorsStopAtAHundred() {
        String yaml = "a: &a x\nb: [" + "*a, ".repeat(500) + "]\n";
        List<String> errors = errors(yaml);
        assertThat(errors).hasSize(101);
        assertThat(errors.get(100)).endsWith("too many errors (more than 100); stopped reading");
    }

    @Test
    void invalidUtf8IsLocated() {
        byte[] bytes = "apiVersion: sandlot.dev/v1\nkind: Sa\u00ffx\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(errors(parse(bytes))).containsExactly("2:9: file is not valid UTF-8");
    }

    @Test
    void controlCharactersAreLocatedAndNeverEchoed() {
        ParseResult result = parse(MINIMAL + "  hostname: a\u0007b\n");
        assertThat(errors(result)).containsExactly(
                "7:14: control or non-printable character U+0007 is not allowed (escape it in a double-quoted string)");
        assertThat(result.errors().get(0).toString()).doesNotContain("\u0007");
    }

    @Test
    void aByteOrderMarkIsAccepted() {
        byte[] yaml = ("\ufeff" + MINIMAL).getBytes(StandardCharsets.UTF_8);
        assertThat(parse(yaml).errors()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "metadata: {name: \"s3cr3t}\n",
        "metadata: {name: \"\\qs3cr3t\"}\n",
        "metadata: {name: \"\\uZZs3cr3t\"}\n",
        "metadata:\n\tname: s3cr3t\n",
        "metadata: name: s3cr3t\n",
        "metadata: !<!s3cr3t> x\n",
        "metadata: !s3cr3t!x x\n",
        "metadata: [s3cr3t, }\n",
        "metadata: {s3cr3t\n",
        "metadata: &s3cr3t x\nspec: *s3cr3t\n",
        "metadata: |s3cr3t\n  x\n",
        "metadata: >9s3cr3t\n x\n",
        "metadata: @s3cr3t\n",
        "metadata: `s3cr3t\n",
    })
    void errorsNeverQuoteTheFile(String yaml) {
        ParseResult result = parse("apiVersion: sandlot.dev/v1\nkind: Sandbox\n" + yaml);
        assertThat(result.errors()).isNotEmpty();
        assertThat(result.errors()).allSatisfy(e -> assertThat(e.toString()).doesNotContainIgnoringCase("s3cr3t"));
    }

    @Test
    void syntaxErrorsAreLocated() {
        assertThat(errors("apiVersion: sandlot.dev/v1\nkind: Sandbox\nmetadata: {name: \"web}\n"))
                .containsExactly("4:1: YAML syntax: found unexpected end of stream (while scanning a quoted scalar started at line 3)");
        assertThat(errors("a: b\n c: d\n")).containsExactly("2:3: YAML syntax: mapping values are not allowed here");
        assertThat(errors("a:\n\tb: c\n")).containsExactly("2:1: YAML syntax: a tab character cannot start a token (indent with spaces)");
    }

    @Test
    void validDocumentsBeforeASyntaxErrorAreKeptButTheFileIsInvalid() {
        ParseResult result = parse(MINIMAL + "---\n" + MINIMAL.replace("web", "db") + "---\nx: [\n");
        assertThat(result.manifests()).extracting(Manifest::name).containsExactly("web", "db");
        assertThat(result.valid()).isFalse();
        assertThat(errors(result)).containsExactly("16:1: YAML syntax: expected the node content (while parsing a flow node started at line 15)"
                .replace(" started at line 15", " started at line 16"));
    }
}
