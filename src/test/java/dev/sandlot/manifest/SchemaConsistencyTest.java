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
 * duplicates, YAML 1.1 coercions, anchors, tags), which the validator alone refuses.
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
        assertThat(good()).hasSizeGreaterThanOrEqualTo(5);
        assertThat(bad()).hasSizeGreaterThanOrEqualTo(50);
        assertThat(validatorOnly()).hasSizeGreaterThanOrEqualTo(15);
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
