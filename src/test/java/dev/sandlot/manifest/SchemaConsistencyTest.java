package dev.sandlot.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps {@code schema/sandlot-v1.schema.json} in step with the validator, on the examples under
 * {@code src/test/resources/manifests/}: {@code good/} passes both, {@code bad/} fails both, and
 * {@code bad-validator-only/} holds what no schema read through Jackson can catch (host policy,
 * duplicates, YAML 1.1 coercions, anchors, tags, ranges of durations, Quartz cron syntax, a
 * dependency on the sandbox itself, conflicting host ports), which the validator alone refuses.
 *
 * <p>Each bad example lists its exact errors in {@code # expect: LINE:COL: path: message} lines.
 */
class SchemaConsistencyTest {
    private static final Path EXAMPLES = Path.of("src/test/resources/manifests");
    private static final Path SCHEMA = Path.of("schema/sandlot-v1.schema.json");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static JsonSchema schema;

    private static JsonSchema schema() throws IOException {
        if (schema == null) {
            JsonNode node = new ObjectMapper().readTree(SCHEMA.toFile());
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node);
        }
        return schema;
    }

    static Stream<Path> good() throws IOException {
        return examples("good");
    }

    static Stream<Path> bad() throws IOException {
        return examples("bad");
    }

    static Stream<Path> validatorOnly() throws IOException {
        return examples("bad-validator-only");
    }

    private static Stream<Path> examples(String folder) throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES.resolve(folder))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void thereAreExamplesOfEveryKind() throws IOException {
        assertThat(good()).hasSizeGreaterThanOrEqualTo(15);
        assertThat(bad()).hasSizeGreaterThanOrEqualTo(100);
        assertThat(validatorOnly()).hasSizeGreaterThanOrEqualTo(30);
    }

    @ParameterizedTest
    @MethodSource("good")
    void goodExamplesPassTheSchemaAndTheValidator(Path file) throws IOException {
        assertThat(validate(file).errors()).isEmpty();
        for (JsonNode document : documents(file)) {
            assertThat(schema().validate(document)).as(file.toString()).isEmpty();
        }
    }

    @ParameterizedTest
    @MethodSource("bad")
    void badExamplesFailTheSchemaAndTheValidatorAsExpected(Path file) throws IOException {
        assertExpectedErrors(file);
        List<JsonNode> documents = documents(file);
        assertThat(documents).isNotEmpty();
        Set<ValidationMessage> messages = schema().validate(documents.get(0));
        assertThat(messages).as(file + " passes the schema").isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("validatorOnly")
    void validatorOnlyExamplesFailTheValidatorAsExpected(Path file) throws IOException {
        assertExpectedErrors(file);
    }

    @Test
    void theTutorialManifestIsValid() throws IOException {
        Path hello = Path.of("manifests/hello.yaml");
        assertThat(validate(hello).errors()).isEmpty();
        assertThat(schema().validate(documents(hello).get(0))).isEmpty();
        assertThat(Files.readAllLines(hello).get(0)).isEqualTo("# yaml-language-server: $schema=../schema/sandlot-v1.schema.json");
    }

    /**
     * {@code manifests/examples/}: one file per feature, each valid for the validator and the schema,
     * read as {@code sandlot validate manifests/examples/} reads the folder (names unique across it).
     * They live in a subfolder so that applying {@code manifests/} (the quick start) never runs them.
     */
    @Test
    void theExampleManifestsAreValidAsAFolder() throws IOException {
        Path folder = Path.of("manifests/examples");
        List<ManifestFile> files = ManifestFiles.read(folder);
        assertThat(files).extracting(f -> f.path().getFileName().toString()).contains("healthcheck.yaml",
                "depends-on.yaml", "suspend.yaml", "graceful-stop.yaml", "scheduled.yaml", "ports.yaml", "dns.yaml",
                "envfrom.yaml", "placement.yaml", "archive-rootfs.yaml", "image-rootfs.yaml");
        List<Manifest> all = new ArrayList<>();
        for (ManifestFile file : files) {
            assertThat(file).as(file.path().toString()).isInstanceOf(ManifestFile.Loaded.class);
            ParseResult result = ManifestParser.parse(file.path().toString(), ((ManifestFile.Loaded) file).content());
            assertThat(result.errors()).as(file.path().toString()).isEmpty();
            all.addAll(result.manifests());
            for (JsonNode document : documents(file.path())) {
                assertThat(schema().validate(document)).as(file.path().toString()).isEmpty();
            }
            assertThat(Files.readAllLines(file.path()).get(0))
                    .isEqualTo("# yaml-language-server: $schema=../../schema/sandlot-v1.schema.json");
        }
        assertThat(ManifestParser.nameConflicts(all)).isEmpty();
        assertThat(ManifestFiles.read(Path.of("manifests"))).allSatisfy(f -> assertThat(f.path().getParent())
                .isEqualTo(Path.of("manifests"))); // the quick start's folder never reaches into examples/
    }

    /** The schema's patterns for the later fields accept exactly what the validator's rules accept. */
    @ParameterizedTest
    @MethodSource("patternSamples")
    void schemaPatternsAgreeWithTheValidatorsRules(String pointer, String value, boolean validatorAccepts)
            throws IOException {
        JsonNode node = new ObjectMapper().readTree(SCHEMA.toFile()).at(pointer);
        assertThat(node.isTextual()).as(pointer).isTrue();
        boolean schemaAccepts = java.util.regex.Pattern.compile(node.asText()).matcher(value).find();
        assertThat(schemaAccepts).as(pointer + " on " + value).isEqualTo(validatorAccepts);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> patternSamples() {
        List<org.junit.jupiter.params.provider.Arguments> samples = new ArrayList<>();
        for (String ip : List.of("10.0.0.1", "0.0.0.0", "255.255.255.255", "256.0.0.1", "01.2.3.4", "1.2.3", "::", "::1",
                "1::", "fd00::53", "FD00:0:0:0:0:0:0:53", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8",
                "1:2:3:4:5:6:7::8", "1::2::3", "1:2:3:4:5:6:7", "::ffff:1.2.3.4", "fe80::1%eth0", "12345::", ":1", "1:",
                "localhost", "")) {
            samples.add(org.junit.jupiter.params.provider.Arguments.of("/$defs/ipAddress/pattern", ip,
                    Rules.ipLiteral(ip) != null));
        }
        for (String d : List.of("0s", "500ms", "10s", "2m", "1h", "1h30m", "1m30s", "1s500ms", "9999999ms", "10", "",
                "1.5s", "-1s", "1s1m", "1ms1s", "5S", "12345678s", "1h1h", "1 s", "m", "ms")) {
            samples.add(org.junit.jupiter.params.provider.Arguments.of("/$defs/duration/pattern", d,
                    !Quantities.DURATION_RULE.equals(Quantities.durationMillis(d, 0, Long.MAX_VALUE).problem())));
        }
        String health = "/properties/spec/properties/healthCheck/properties/http/properties/path/pattern";
        for (String path : List.of("/", "/healthz", "/a/b?x=1&y=%20", "/~u", "healthz", "/a b", "/%zz", "/a#b", "/é", "")) {
            samples.add(org.junit.jupiter.params.provider.Arguments.of(health, path, Rules.httpPath(path) == null));
        }
        String ref = "/properties/spec/properties/rootfs/properties/image/properties/ref/pattern";
        for (String r : List.of("latest", "3.12-slim", "example.com/app:v1", "a--b", "-x", "x-", "a b", "a//b", "a---b", "")) {
            samples.add(org.junit.jupiter.params.provider.Arguments.of(ref, r, Rules.imageRef(r) == null));
        }
        // The rootfs rules are "not" patterns: they match exactly what the validator refuses.
        String rootfs = "/properties/spec/properties/rootfs/properties/";
        List<String> paths = List.of("/", "/srv/r", "/opt/rootfs", "/etc", "/etc/ssl", "/etcetera", "/root", "/rootfs",
                "/home/a", "/boot", "/run", "/run/x", "/var", "/var/lib", "/var/lib/machines/a", "/var/lib/sandlot",
                "/var/lib/sandlot/rootfs/x", "/var/lib/cni/networks", "/var/log/x", "/var/run", "/var/mail", "/var/spool/x",
                "/var/backups", "/var/cache/x", "/proc/1/root", "/sys", "/dev/shm", "/tmp/r", "/usr/share/r");
        for (String p : paths) {
            boolean accepted = Rules.rootfsPath(p) == null;
            samples.add(org.junit.jupiter.params.provider.Arguments.of(rootfs + "path/allOf/1/not/pattern", p, !accepted));
            samples.add(org.junit.jupiter.params.provider.Arguments.of(
                    rootfs + "image/properties/layout/allOf/1/not/pattern", p, !accepted));
            String archive = p + ".tar";
            samples.add(org.junit.jupiter.params.provider.Arguments.of(rootfs + "archive/allOf/2/not/pattern", archive,
                    Rules.archive(archive) != null));
        }
        String hosts = "/properties/spec/properties/placement/properties/hosts/items/pattern";
        for (String h : List.of("web-*", "edge?.example.com", "*", "web_1", "[a]", "", "a b")) {
            samples.add(org.junit.jupiter.params.provider.Arguments.of(hosts, h, Rules.hostPattern(h) == null));
        }
        String options = "/properties/spec/properties/dns/properties/options/items/pattern";
        for (String o : List.of("ndots:2", "edns0", "single-request-reopen", "ndots: 2", "-x", "", "a b")) {
            samples.add(org.junit.jupiter.params.provider.Arguments.of(options, o, Rules.dnsOption(o) == null));
        }
        String searches = "/properties/spec/properties/dns/properties/searches/items/pattern";
        for (String d : List.of("example.com", "svc.cluster.local", "a", "-a.com", "a_b.com", "example.com.", "a..b", "")) {
            samples.add(org.junit.jupiter.params.provider.Arguments.of(searches, d, Rules.domain(d) == null));
        }
        return samples.stream();
    }

    @Test
    void theSchemasStopSignalsAreTheValidators() throws IOException {
        JsonNode values = new ObjectMapper().readTree(SCHEMA.toFile()).at("/properties/spec/properties/stopSignal/enum");
        List<String> expected = new ArrayList<>(Signals.STOP_SIGNALS.keySet());
        Signals.STOP_SIGNALS.keySet().forEach(name -> expected.add("SIG" + name));
        List<String> actual = new ArrayList<>();
        values.forEach(v -> actual.add(v.asText()));
        assertThat(actual).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static void assertExpectedErrors(Path file) throws IOException {
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("# expect: ")) {
                expected.add(file.getFileName() + ":" + line.substring("# expect: ".length()));
            }
        }
        assertThat(expected).as("expectations in " + file).isNotEmpty();
        assertThat(validate(file).errors()).extracting(ManifestError::toString).containsExactlyElementsOf(expected);
    }

    private static ParseResult validate(Path file) throws IOException {
        return ManifestParser.parse(file.getFileName().toString(), Files.readAllBytes(file));
    }

    private static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
            while (it.hasNext()) {
                JsonNode node = it.next();
                if (node != null && !node.isNull() && !node.isMissingNode()) {
                    documents.add(node);
                }
            }
        }
        return documents;
    }
}
