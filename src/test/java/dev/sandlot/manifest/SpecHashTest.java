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
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * The canonical JSON of specs that use none of the later fields, byte for byte as the version
     * before them wrote it: absent later fields must leave no trace (not even {@code null}, {@code []}
     * or {@code false}), and the fields that were there keep their nulls.
     */
    @Test
    void specsWithoutTheLaterFieldsSerializeExactlyAsBefore() {
        assertThat(SpecHash.canonicalJson(parse(FULL).manifests().get(0).spec())).isEqualTo(
                "{\"hostname\":\"web\",\"mounts\":[{\"destination\":\"/var/www\",\"readOnly\":true,\"source\":\"/srv/www\"}],"
                + "\"networks\":[\"net1\"],\"process\":{\"args\":[\"/bin/httpd\",\"-f\"],\"cwd\":\"/var/www\","
                + "\"env\":{\"GREETING\":\"hello\"},\"user\":{\"gid\":1000,\"uid\":1000}},"
                + "\"resources\":{\"memoryBytes\":268435456,\"milliCpus\":500,\"pids\":256},\"restartPolicy\":\"Always\","
                + "\"rootfs\":{\"archive\":null,\"path\":\"/srv/rootfs/web\"}}");
        assertThat(SpecHash.canonicalJson(parse(Manifests.MINIMAL).manifests().get(0).spec())).isEqualTo(
                "{\"hostname\":\"web\",\"mounts\":[],\"networks\":[],\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\","
                + "\"env\":{},\"user\":{\"gid\":0,\"uid\":0}},\"resources\":{\"memoryBytes\":null,\"milliCpus\":null,"
                + "\"pids\":null},\"restartPolicy\":\"Always\",\"rootfs\":{\"archive\":null,\"path\":\"/srv/rootfs/web\"}}");
        assertThat(hashOf(Manifests.MINIMAL)).isEqualTo("43c593338a2cdae675447d5e5735d380");
    }

    /** {@link Manifests#FULL} with lines added at the end of spec (or its line 19, restartPolicy, replaced). */
    private static String fullWith(String specLines) {
        return FULL + specLines;
    }

    static Stream<Arguments> laterFieldEdits() {
        return Stream.of(
                Arguments.of("  healthCheck: {tcp: {port: 8000}}\n"),
                Arguments.of("  healthCheck: {tcp: {port: 8001}}\n"),
                Arguments.of("  healthCheck: {http: {port: 8000}}\n"),
                Arguments.of("  healthCheck: {http: {port: 8000, path: /healthz}}\n"),
                Arguments.of("  healthCheck: {http: {port: 8000, expectStatus: 204}}\n"),
                Arguments.of("  healthCheck: {exec: {command: [/bin/true]}}\n"),
                Arguments.of("  healthCheck: {tcp: {port: 8000}, interval: 5s}\n"),
                Arguments.of("  healthCheck: {tcp: {port: 8000}, timeout: 2s}\n"),
                Arguments.of("  healthCheck: {tcp: {port: 8000}, failureThreshold: 4}\n"),
                Arguments.of("  healthCheck: {tcp: {port: 8000}, startPeriod: 1s}\n"),
                Arguments.of("  dependsOn: [db]\n"),
                Arguments.of("  dependsOn: [db, cache]\n"),
                Arguments.of("  suspend: true\n"),
                Arguments.of("  stopSignal: INT\n"),
                Arguments.of("  terminationGracePeriod: 30s\n"),
                Arguments.of("  terminationGracePeriod: 0s\n"),
                Arguments.of("  ports: [{containerPort: 8000}]\n"),
                Arguments.of("  ports: [{containerPort: 8000, hostPort: 8080}]\n"),
                Arguments.of("  ports: [{containerPort: 8000, protocol: udp}]\n"),
                Arguments.of("  ports: [{containerPort: 8000, hostIP: 127.0.0.1}]\n"),
                Arguments.of("  dns: {nameservers: [10.0.0.53]}\n"),
                Arguments.of("  dns: {searches: [example.com]}\n"),
                Arguments.of("  dns: {options: [ndots:2]}\n"),
                Arguments.of("  placement: {hosts: [web-*]}\n"),
                Arguments.of("  placement: {hostLabels: {zone: a}}\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("laterFieldEdits")
    void everyLaterFieldChangesTheHash(String lines) {
        assertThat(hashOf(fullWith(lines))).isNotEqualTo(hashOf(FULL));
    }

    @Test
    void theLaterFieldsOfProcessAndRootfsChangeTheHash() {
        String envFrom = FULL.replace("    user: {uid: 1000, gid: 1000}\n",
                "    user: {uid: 1000, gid: 1000}\n    envFrom: [/etc/sandlot/secrets/web.env]\n");
        String image = FULL.replace("    path: /srv/rootfs/web", "    image: {layout: /srv/rootfs/web}");
        String imageRef = FULL.replace("    path: /srv/rootfs/web", "    image: {layout: /srv/rootfs/web, ref: v2}");
        String scheduled = fullWithLine(19, "  restartPolicy: Never") + "  schedule: \"0 0 * * * ?\"\n";
        Set<String> hashes = new HashSet<>(List.of(hashOf(FULL), hashOf(envFrom), hashOf(image), hashOf(imageRef),
                hashOf(scheduled), hashOf(fullWithLine(19, "  restartPolicy: Never"))));
        assertThat(hashes).hasSize(6);
    }

    @Test
    void distinctLaterFieldEditsGiveDistinctHashes() {
        List<Arguments> edits = laterFieldEdits().toList();
        Set<String> hashes = new HashSet<>();
        hashes.add(hashOf(FULL));
        for (Arguments edit : edits) {
            hashes.add(hashOf(fullWith((String) edit.get()[0])));
        }
        assertThat(hashes).hasSize(edits.size() + 1);
    }

    /** Writing a later field's default out, or an empty value, is the same as leaving it out: no restart. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "  dependsOn: []\n", "  suspend: false\n", "  stopSignal: TERM\n", "  stopSignal: SIGTERM\n",
        "  terminationGracePeriod: 10s\n", "  terminationGracePeriod: 10000ms\n", "  ports: []\n", "  dns: {}\n",
        "  dns: {nameservers: [], searches: [], options: []}\n"})
    void writingALaterFieldsDefaultOutIsTheSameAsLeavingItOut(String lines) {
        assertThat(hashOf(fullWith(lines))).isEqualTo(hashOf(FULL));
        String envFrom = FULL.replace("    user: {uid: 1000, gid: 1000}\n", "    user: {uid: 1000, gid: 1000}\n    envFrom: []\n");
        assertThat(hashOf(envFrom)).isEqualTo(hashOf(FULL));
    }

    @Test
    void laterDefaultsInsideNewFieldsAreAppliedSoWritingThemOutChangesNothing() {
        assertThat(hashOf(fullWith("  healthCheck: {http: {port: 8000}}\n"))).isEqualTo(hashOf(fullWith(
                "  healthCheck: {http: {port: 8000, path: /, expectStatus: 200}, interval: 10s, timeout: 1s,"
                        + " failureThreshold: 3, startPeriod: 0s}\n")));
        assertThat(hashOf(fullWith("  ports: [{containerPort: 80}]\n")))
                .isEqualTo(hashOf(fullWith("  ports: [{containerPort: 80, hostPort: 80, protocol: TCP}]\n")));
        assertThat(hashOf(fullWith("  dns: {nameservers: [\"fd00::53\"]}\n")))
                .isEqualTo(hashOf(fullWith("  dns: {nameservers: [\"FD00:0:0::0053\"]}\n")));
        assertThat(hashOf(FULL.replace("    path: /srv/rootfs/web", "    image: {layout: /srv/rootfs/web}"))).isEqualTo(
                hashOf(FULL.replace("    path: /srv/rootfs/web", "    image: {layout: /srv/rootfs/web, ref: latest}")));
    }

    /** Convenience methods such as gracePeriod() or interval() are not getters: they never reach the JSON. */
    @Test
    void onlyRecordComponentsReachTheCanonicalJson() throws Exception {
        String yaml = Manifests.MINIMAL.replace("{path: /srv/rootfs/web}", "{image: {layout: /srv/images/web}}")
                .replace("  process: {args: [/bin/true]}\n", "")
                + """
                  networks: [net1]
                  restartPolicy: OnFailure
                  healthCheck: {http: {port: 8000}, interval: 5s}
                  dependsOn: [db]
                  suspend: true
                  stopSignal: QUIT
                  terminationGracePeriod: 30s
                  schedule: "0 0 3 * * ?"
                  ports: [{containerPort: 8000, hostPort: 8080, hostIP: "::1"}]
                  dns: {nameservers: [10.0.0.53], searches: [example.com], options: [ndots:2]}
                  placement: {hosts: [web-*], hostLabels: {zone: a}}
                """;
        ParseResult result = parse(yaml);
        assertThat(result.errors()).isEmpty();
        SandboxSpec spec = result.manifests().get(0).spec();
        String json = SpecHash.canonicalJson(spec);
        for (String name : List.of("effectiveStopSignal", "gracePeriod\"", "\"interval\"", "\"timeout\"",
                "\"startPeriod\"", "matches")) {
            assertThat(json).doesNotContain(name);
        }
        assertThat(json).contains("\"suspend\":true", "\"terminationGracePeriodMillis\":30000", "\"hostIP\":\"::1\"",
                "\"image\":{\"layout\":\"/srv/images/web\",\"ref\":\"latest\"}");
        SandboxSpec back = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readValue(json, SandboxSpec.class);
        assertThat(back).isEqualTo(spec);
        assertThat(SpecHash.of(back)).isEqualTo(SpecHash.of(spec));
    }

    @Test
    void moreMountsChangeTheHash() {
        String more = FULL.replace("  resources:", "    - {source: /srv/data, destination: /data}\n  resources:");
        assertThat(hashOf(more)).isNotEqualTo(hashOf(FULL));
    }
}
