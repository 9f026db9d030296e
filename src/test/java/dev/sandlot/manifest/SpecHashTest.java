package dev.sandlot.manifest;

import static dev.sandlot.manifest.Manifests.FULL;
import static dev.sandlot.manifest.Manifests.fullWithLine;
import static dev.sandlot.manifest.Manifests.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The spec hash decides restarts (DESIGN.md §1): formatting never changes it, every spec field does. */
class SpecHashTest {

    private static String hashOf(String yaml) {
        ParseResult result = parse(yaml);
        assertThat(result.errors()).isEmpty();
        return result.manifests().get(0).specHash();
    }

    /**
     * A changed hash for an unchanged manifest would replace every running sandbox after an
     * upgrade: change this value only on purpose.
     */
    @Test
    void theHashOfAKnownSpecIsPinned() {
        assertThat(hashOf(FULL)).isEqualTo("0b9fdc0c8f29ac01b19186087e225a61");
    }

    @Test
    void formattingCommentsKeyOrderQuotingAndLabelsDoNotChangeTheHash() {
        String reformatted = """
                # a comment
                kind: "Sandbox"
                apiVersion: 'sandlot.dev/v1'
                spec:
                  restartPolicy: Always   # trailing comment
                  resources:
                    pids: 256
                    cpus: "0.500"
                    memory: 268435456
                  mounts: [{readOnly: true, destination: "/var/www", source: /srv/www}]
                  networks:
                    - "net1"
                  hostname: web
                  process:
                    user: {gid: 1000, uid: 1000}
                    env:
                      GREETING: 'hello'
                    cwd: "/var/www"
                    args:
                      - /bin/httpd
                      - '-f'
                  rootfs: {path: "/srv/rootfs/web"}
                metadata:
                  labels: {app: other, tier: front}
                  name: "web"
                """;
        assertThat(hashOf(reformatted)).isEqualTo(hashOf(FULL));
        String json = "{\"apiVersion\": \"sandlot.dev/v1\", \"kind\": \"Sandbox\", \"metadata\": {\"name\": \"web\"},"
                + " \"spec\": {\"rootfs\": {\"path\": \"/srv/rootfs/web\"}, \"process\": {\"args\": [\"/bin/httpd\", \"-f\"],"
                + " \"cwd\": \"/var/www\", \"env\": {\"GREETING\": \"hello\"}, \"user\": {\"uid\": 1000, \"gid\": 1000}},"
                + " \"networks\": [\"net1\"], \"mounts\": [{\"source\": \"/srv/www\", \"destination\": \"/var/www\"}],"
                + " \"resources\": {\"memory\": \"256Mi\", \"cpus\": 0.5, \"pids\": 256}}}";
        assertThat(hashOf(json)).isEqualTo(hashOf(FULL));
    }

    @Test
    void writingADefaultOutIsTheSameAsLeavingItOut() {
        String explicit = Manifests.MINIMAL + """
                  hostname: web
                  networks: []
                  mounts: []
                  restartPolicy: Always
                """;
        String explicitProcess = Manifests.MINIMAL.replace("{args: [/bin/true]}",
                "{args: [/bin/true], cwd: /, env: {}, user: {uid: 0, gid: 0}}");
        assertThat(hashOf(explicit)).isEqualTo(hashOf(Manifests.MINIMAL));
        assertThat(hashOf(explicitProcess)).isEqualTo(hashOf(Manifests.MINIMAL));
    }

    static Stream<Arguments> specEdits() {
        return Stream.of(
                Arguments.of(8, "    path: /srv/rootfs/other"),
                Arguments.of(8, "    archive: /srv/rootfs/web.tar"),
                Arguments.of(10, "    args: [\"/bin/httpd\", \"-v\"]"),
                Arguments.of(10, "    args: [\"-f\", \"/bin/httpd\"]"),
                Arguments.of(10, "    args: [\"/bin/httpd\", \"-f\", \"\"]"),
                Arguments.of(11, "    cwd: /var"),
                Arguments.of(12, "    env: {GREETING: hi}"),
                Arguments.of(12, "    env: {GREETINGS: hello}"),
                Arguments.of(12, "    env: {GREETING: hello, X: \"\"}"),
                Arguments.of(13, "    user: {uid: 1001, gid: 1000}"),
                Arguments.of(13, "    user: {uid: 1000, gid: 1001}"),
                Arguments.of(14, "  hostname: web2"),
                Arguments.of(15, "  networks: [net2]"),
                Arguments.of(15, "  networks: [net1, net2]"),
                Arguments.of(15, "  networks: []"),
                Arguments.of(17, "    - {source: /srv/www2, destination: /var/www, readOnly: true}"),
                Arguments.of(17, "    - {source: /srv/www, destination: /var/www2, readOnly: true}"),
                Arguments.of(17, "    - {source: /srv/www, destination: /var/www, readOnly: false}"),
                Arguments.of(18, "  resources: {memory: 257Mi, cpus: 0.5, pids: 256}"),
                Arguments.of(18, "  resources: {memory: 256Mi, cpus: 0.501, pids: 256}"),
                Arguments.of(18, "  resources: {memory: 256Mi, cpus: 0.5, pids: 255}"),
                Arguments.of(18, "  resources: {cpus: 0.5, pids: 256}"),
                Arguments.of(19, "  restartPolicy: OnFailure"),
                Arguments.of(19, "  restartPolicy: Never"));
    }

    @ParameterizedTest(name = "line {0}: {1}")
    @MethodSource("specEdits")
    void everySpecFieldChangesTheHash(int line, String replacement) {
        assertThat(hashOf(fullWithLine(line, replacement))).isNotEqualTo(hashOf(FULL));
    }

    @Test
    void distinctSpecsGiveDistinctHashes() {
        List<Arguments> edits = specEdits().toList();
        Set<String> hashes = new HashSet<>();
        hashes.add(hashOf(FULL));
        for (Arguments edit : edits) {
            hashes.add(hashOf(fullWithLine((int) edit.get()[0], (String) edit.get()[1])));
        }
        assertThat(hashes).hasSize(edits.size() + 1);
    }

    @Test
    void moreMountsChangeTheHash() {
        String more = FULL.replace("  resources:", "    - {source: /srv/data, destination: /data}\n  resources:");
        assertThat(hashOf(more)).isNotEqualTo(hashOf(FULL));
    }
}
