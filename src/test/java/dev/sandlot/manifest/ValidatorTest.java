package dev.sandlot.manifest;

import static dev.sandlot.manifest.Manifests.FULL;
import static dev.sandlot.manifest.Manifests.MINIMAL;
import static dev.sandlot.manifest.Manifests.errors;
import static dev.sandlot.manifest.Manifests.fullWithLine;
import static dev.sandlot.manifest.Manifests.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule of DESIGN.md §1, one edit of {@link Manifests#FULL} at a time, with exact locations. */
class ValidatorTest {
    private static final String NAME_RULE =
            "must be 1 to 32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";
    private static final String HOST_RULE =
            "must be an RFC 1123 host name of at most 63 characters (letters, digits, '-' and '.')";
    private static final String NETWORK_RULE = "must be a CNI network name: letters, digits, '_', '.' and '-',"
            + " starting with a letter or digit, at most 128 characters";
    private static final String ENV_RULE =
            "environment variable names must be letters, digits and '_', not starting with a digit";
    private static final String MEMORY_RULE = "must be a memory quantity such as 256Mi, 1Gi, 512M or 1000000 (bytes)";
    private static final String CPUS_RULE =
            "must be a positive number of CPUs with at most 3 decimals, such as 0.5 or 2";
    private static final String MOUNT = "    - {source: %s, destination: %s, readOnly: %s}";

    static Stream<Arguments> brokenRules() {
        return Stream.of(
                // apiVersion, kind, unknown and missing fields
                arguments(1, "apiVersion: v1", List.of("1:13: apiVersion: must be sandlot.dev/v1")),
                arguments(1, "apiVersion: sandlot.dev/v1 ", List.of()),
                arguments(1, "", List.of("1:1: apiVersion: required field is missing")),
                arguments(2, "kind: sandbox", List.of("2:7: kind: must be Sandbox")),
                arguments(2, "kind: [Sandbox]", List.of("2:7: kind: must be a string, not a list")),
                arguments(3, "metdata:", List.of("1:1: metadata: required field is missing",
                        "3:1: metdata: unknown field (did you mean metadata?)")),
                arguments(14, "  hostName: web", List.of("14:3: spec.hostName: unknown field (did you mean hostname?)")),
                arguments(19, "  restartpolicy: Always",
                        List.of("19:3: spec.restartpolicy: unknown field (did you mean restartPolicy?)")),
                arguments(10, "", List.of("10:5: spec.process.args: required field is missing")),
                // names
                arguments(4, "  name: Web", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: ..", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: a/b", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: ../etc", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: \"web app\"", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: \"web\\n\"", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: \"web\\u200b\"", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: -web", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: web-", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: w\u0435b", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: \uff57eb", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: web.1", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: web_1", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: \"\"", List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: " + "a".repeat(33), List.of("4:9: metadata.name: " + NAME_RULE)),
                arguments(4, "  name: " + "a".repeat(32), List.of()),
                arguments(4, "  name: 0", List.of()),
                arguments(4, "  name: no", List.of()),
                arguments(4, "  name: ~", List.of("4:9: metadata.name: must be a string, not null")),
                arguments(4, "  name:", List.of("4:8: metadata.name: must be a string, not null")),
                arguments(4, "  name: [web]", List.of("4:9: metadata.name: must be a string, not a list")),
                // labels
                arguments(5, "  labels: {app: \"a b\"}", List.of("5:17: metadata.labels.app: label values must be"
                        + " empty or at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit")),
                arguments(5, "  labels: {\"a b\": x}", List.of("5:12: metadata.labels[?]: label keys must be [prefix/]name:"
                        + " name at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit;"
                        + " prefix a DNS subdomain")),
                arguments(5, "  labels: {app: ~}", List.of("5:17: metadata.labels.app: must be a string, not null")),
                arguments(5, "  labels: [app]", List.of("5:11: metadata.labels: must be a mapping, not a list")),
                arguments(5, "  labels: {example.com/app: v1, version: 1, on: true}", List.of()),
                // args
                arguments(10, "    args: \"/bin/httpd -f\"", List.of("10:11: spec.process.args: must be a list, not a string")),
                arguments(10, "    args: []", List.of("10:11: spec.process.args: must list at least the program to run")),
                arguments(10, "    args: ~", List.of("10:11: spec.process.args: must be a list, not null")),
                arguments(10, "    args: [\"\", x]", List.of("10:12: spec.process.args[0]: the program to run must not be empty")),
                arguments(10, "    args: [\"/bin/x\", \"a\\0b\"]", List.of("10:22: spec.process.args[1]: must not contain a NUL character")),
                arguments(10, "    args: [/bin/x, ~]", List.of("10:20: spec.process.args[1]: must be a string, not null")),
                arguments(10, "    args: [/bin/x, [a]]", List.of("10:20: spec.process.args[1]: must be a string, not a list")),
                arguments(10, "    args: [/bin/x, {a: b}]", List.of("10:20: spec.process.args[1]: must be a string, not a mapping")),
                // cwd (runc CVE-2024-21626)
                arguments(11, "    cwd: var/www", List.of("11:10: spec.process.cwd: must be an absolute path")),
                arguments(11, "    cwd: /proc/self/fd/7", List.of("11:10: spec.process.cwd: must not be /proc or under it (runc CVE-2024-21626)")),
                arguments(11, "    cwd: /proc", List.of("11:10: spec.process.cwd: must not be /proc or under it (runc CVE-2024-21626)")),
                arguments(11, "    cwd: /var/../proc/1/cwd", List.of("11:10: spec.process.cwd: must be a normalized absolute path (no '..')")),
                arguments(11, "    cwd: /var/./www", List.of("11:10: spec.process.cwd: must be a normalized absolute path (no '.' components)")),
                arguments(11, "    cwd: //var", List.of("11:10: spec.process.cwd: must be a normalized absolute path (no '//')")),
                arguments(11, "    cwd: /var/www/", List.of("11:10: spec.process.cwd: must be a normalized absolute path (no trailing '/')")),
                arguments(11, "    cwd: \"/var/\\nwww\"", List.of("11:10: spec.process.cwd: must not contain control characters")),
                arguments(11, "    cwd: ~", List.of("11:10: spec.process.cwd: must be a string, not null")),
                arguments(11, "    cwd: /processes", List.of()),
                arguments(11, "    cwd: /", List.of()),
                // env
                arguments(12, "    env: {\"1X\": a}", List.of("12:11: spec.process.env.1X: " + ENV_RULE)),
                arguments(12, "    env: {A-B: a}", List.of("12:11: spec.process.env.A-B: " + ENV_RULE)),
                arguments(12, "    env: {\"A=B\": a}", List.of("12:11: spec.process.env[?]: " + ENV_RULE)),
                arguments(12, "    env: {A: [x]}", List.of("12:14: spec.process.env.A: must be a string, not a list")),
                arguments(12, "    env: {A: \"\\0\"}", List.of("12:14: spec.process.env.A: must not contain a NUL character")),
                arguments(12, "    env: [A=1]", List.of("12:10: spec.process.env: must be a mapping, not a list")),
                arguments(12, "    env: {A: true, B: 1, C: no, _x: \"\"}", List.of()),
                // user
                arguments(13, "    user: {uid: 0644, gid: 0}", List.of("13:17: spec.process.user.uid: must be a decimal integer"
                        + " without leading zeros (YAML 1.1 would read it as octal)")),
                arguments(13, "    user: {uid: 1_000, gid: 0}", List.of("13:17: spec.process.user.uid: must be an integer, not a number")),
                arguments(13, "    user: {uid: 0x10, gid: 0}", List.of("13:17: spec.process.user.uid: must be an integer, not a number")),
                arguments(13, "    user: {uid: 1e3, gid: 0}", List.of("13:17: spec.process.user.uid: must be an integer, not a number")),
                arguments(13, "    user: {uid: 1.5, gid: 0}", List.of("13:17: spec.process.user.uid: must be an integer, not a number")),
                arguments(13, "    user: {uid: .inf, gid: 0}", List.of("13:17: spec.process.user.uid: must be an integer, not a number")),
                arguments(13, "    user: {uid: \"1000\", gid: 0}", List.of("13:17: spec.process.user.uid: must be an integer, not a string")),
                arguments(13, "    user: {uid: true, gid: 0}", List.of("13:17: spec.process.user.uid: must be an integer, not a boolean")),
                arguments(13, "    user: {uid: ~, gid: 0}", List.of("13:17: spec.process.user.uid: must be an integer, not null")),
                arguments(13, "    user: {uid: 4294967295, gid: 0}", List.of("13:17: spec.process.user.uid: must be between 0 and 4294967294")),
                arguments(13, "    user: {uid: -1, gid: 0}", List.of("13:17: spec.process.user.uid: must be between 0 and 4294967294")),
                arguments(13, "    user: {uid: " + "9".repeat(500) + ", gid: 0}",
                        List.of("13:17: spec.process.user.uid: must be between 0 and 4294967294")),
                arguments(13, "    user: {uid: 4294967294, gid: +0}", List.of()),
                arguments(13, "    user: {uid: 1}", List.of("13:11: spec.process.user.gid: required field is missing")),
                arguments(13, "    user: {uid: 0, gid: 0, name: root}",
                        List.of("13:28: spec.process.user.name: unknown field (allowed: uid, gid)")),
                arguments(13, "    user: root", List.of("13:11: spec.process.user: must be a mapping, not a string")),
                // hostname
                arguments(14, "  hostname: web_1", List.of("14:13: spec.hostname: " + HOST_RULE)),
                arguments(14, "  hostname: -web", List.of("14:13: spec.hostname: " + HOST_RULE)),
                arguments(14, "  hostname: a..b", List.of("14:13: spec.hostname: " + HOST_RULE)),
                arguments(14, "  hostname: web.", List.of("14:13: spec.hostname: " + HOST_RULE)),
                arguments(14, "  hostname: " + "a".repeat(64), List.of("14:13: spec.hostname: " + HOST_RULE)),
                arguments(14, "  hostname: " + "a".repeat(63), List.of()),
                arguments(14, "  hostname: Web.Example-1.org", List.of()),
                // networks
                arguments(15, "  networks: [net1, net1]", List.of("15:20: spec.networks[1]: duplicate network (also spec.networks[0])")),
                arguments(15, "  networks: [.hidden]", List.of("15:14: spec.networks[0]: " + NETWORK_RULE)),
                arguments(15, "  networks: [a/b]", List.of("15:14: spec.networks[0]: " + NETWORK_RULE)),
                arguments(15, "  networks: [\"a b\"]", List.of("15:14: spec.networks[0]: " + NETWORK_RULE)),
                arguments(15, "  networks: net1", List.of("15:13: spec.networks: must be a list, not a string")),
                arguments(15, "  networks: [Net_1.a-b, \"2\"]", List.of()),
                // mount sources (RELIABILITY.md §E.36)
                arguments(17, mount("/etc", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must not be /etc or under it")),
                arguments(17, mount("/etc/ssl", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must not be /etc or under it")),
                arguments(17, mount("/proc/1", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must not be /proc or under it")),
                arguments(17, mount("/sys", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must not be /sys or under it")),
                arguments(17, mount("/dev/sda", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must not be /dev or under it")),
                arguments(17, mount("/run/netns", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must not be /run or under it")),
                arguments(17, mount("/var/lib/cni", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must not be /var/lib/cni or under it")),
                arguments(17, mount("/", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must not be /")),
                arguments(17, mount("/srv/../etc", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must be a normalized absolute path (no '..')")),
                arguments(17, mount("/srv/www/", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must be a normalized absolute path (no trailing '/')")),
                arguments(17, mount("/srv//www", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must be a normalized absolute path (no '//')")),
                arguments(17, mount("/srv/./www", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must be a normalized absolute path (no '.' components)")),
                arguments(17, mount("srv/www", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must be an absolute path")),
                arguments(17, mount("/opt/www", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must be under an allowed mount root (/srv; see --mount-allow)")),
                arguments(17, mount("/srvx", "/var/www", "true"), List.of("17:16: spec.mounts[0].source: must be under an allowed mount root (/srv; see --mount-allow)")),
                arguments(17, mount("/srv", "/var/www", "true"), List.of()),
                // mount destinations and readOnly
                arguments(17, mount("/srv/www", "/proc", "true"), List.of("17:39: spec.mounts[0].destination: must not be /proc or under it")),
                arguments(17, mount("/srv/www", "/sys/fs", "true"), List.of("17:39: spec.mounts[0].destination: must not be /sys or under it")),
                arguments(17, mount("/srv/www", "/dev/shm", "true"), List.of("17:39: spec.mounts[0].destination: must not be /dev or under it")),
                arguments(17, mount("/srv/www", "/", "true"), List.of("17:39: spec.mounts[0].destination: must not be /")),
                arguments(17, mount("/srv/www", "www", "true"), List.of("17:39: spec.mounts[0].destination: must be an absolute path")),
                arguments(17, mount("/srv/www", "/a/../b", "true"), List.of("17:39: spec.mounts[0].destination: must be a normalized absolute path (no '..')")),
                arguments(17, mount("/srv/www", "/var/www", "yes"), List.of("17:59: spec.mounts[0].readOnly: must be true or false, not a string")),
                arguments(17, mount("/srv/www", "/var/www", "\"true\""), List.of("17:59: spec.mounts[0].readOnly: must be true or false, not a string")),
                arguments(17, mount("/srv/www", "/var/www", "True"), List.of("17:59: spec.mounts[0].readOnly: must be true or false, not a string")),
                arguments(17, mount("/srv/www", "/var/www", "1"), List.of("17:59: spec.mounts[0].readOnly: must be true or false, not a number")),
                arguments(17, mount("/srv/www", "/var/www", "~"), List.of("17:59: spec.mounts[0].readOnly: must be true or false, not null")),
                arguments(17, "    - {source: /srv/www, destination: /var/www, ro: true}",
                        List.of("17:49: spec.mounts[0].ro: unknown field (allowed: source, destination, readOnly)")),
                arguments(17, "    - /srv/www:/var/www", List.of("17:7: spec.mounts[0]: must be a mapping, not a string")),
                arguments(17, "    - {destination: /var/www}", List.of("17:7: spec.mounts[0].source: required field is missing")),
                // resources
                arguments(18, "  resources: {memory: 256MB}", List.of("18:23: spec.resources.memory: " + MEMORY_RULE)),
                arguments(18, "  resources: {memory: 1e999999}", List.of("18:23: spec.resources.memory: " + MEMORY_RULE)),
                arguments(18, "  resources: {memory: 0644}", List.of("18:23: spec.resources.memory: " + MEMORY_RULE)),
                arguments(18, "  resources: {memory: -1Gi}", List.of("18:23: spec.resources.memory: " + MEMORY_RULE)),
                arguments(18, "  resources: {memory: 0}", List.of("18:23: spec.resources.memory: must be more than 0")),
                arguments(18, "  resources: {memory: 17Ti}", List.of("18:23: spec.resources.memory: must be at most 16Ti")),
                arguments(18, "  resources: {memory: ~}", List.of("18:23: spec.resources.memory: must be a quantity such as 256Mi, not null")),
                arguments(18, "  resources: {memory: [1]}", List.of("18:23: spec.resources.memory: must be a quantity such as 256Mi, not a list")),
                arguments(18, "  resources: {cpus: 0}", List.of("18:21: spec.resources.cpus: must be at least 0.001")),
                arguments(18, "  resources: {cpus: 0.0005}", List.of("18:21: spec.resources.cpus: " + CPUS_RULE)),
                arguments(18, "  resources: {cpus: 1025}", List.of("18:21: spec.resources.cpus: must be at most 1024")),
                arguments(18, "  resources: {cpus: -1}", List.of("18:21: spec.resources.cpus: " + CPUS_RULE)),
                arguments(18, "  resources: {cpus: .5}", List.of("18:21: spec.resources.cpus: " + CPUS_RULE)),
                arguments(18, "  resources: {cpus: .nan}", List.of("18:21: spec.resources.cpus: " + CPUS_RULE)),
                arguments(18, "  resources: {cpus: 1e3}", List.of("18:21: spec.resources.cpus: " + CPUS_RULE)),
                arguments(18, "  resources: {cpus: 500m}", List.of("18:21: spec.resources.cpus: " + CPUS_RULE)),
                arguments(18, "  resources: {cpus: \"1.25\", memory: \"1Gi\"}", List.of()),
                arguments(18, "  resources: {pids: 0}", List.of("18:21: spec.resources.pids: must be between 1 and 4194304")),
                arguments(18, "  resources: {pids: 4194305}", List.of("18:21: spec.resources.pids: must be between 1 and 4194304")),
                arguments(18, "  resources: {pids: \"256\"}", List.of("18:21: spec.resources.pids: must be an integer, not a string")),
                arguments(18, "  resources: {pids: 1_000}", List.of("18:21: spec.resources.pids: must be an integer, not a number")),
                arguments(18, "  resources: {pids: 2001-12-14}", List.of("18:21: spec.resources.pids: must be an integer, not a string")),
                arguments(18, "  resources: {disk: 1Gi}", List.of("18:15: spec.resources.disk: unknown field (allowed: memory, cpus, pids)")),
                arguments(18, "  resources: {}", List.of()),
                // restartPolicy
                arguments(19, "  restartPolicy: always", List.of("19:18: spec.restartPolicy: must be one of Always, OnFailure, Never")),
                arguments(19, "  restartPolicy: ALWAYS", List.of("19:18: spec.restartPolicy: must be one of Always, OnFailure, Never")),
                arguments(19, "  restartPolicy: ~", List.of("19:18: spec.restartPolicy: must be a string, not null")),
                arguments(19, "  restartPolicy: \"Never\"", List.of()),
                arguments(19, "  restartPolicy: OnFailure", List.of()));
    }

    private static String mount(String source, String destination, String readOnly) {
        return String.format(MOUNT, source, destination, readOnly);
    }

    @ParameterizedTest(name = "line {0}: {1}")
    @MethodSource("brokenRules")
    void reportsEachBrokenRuleWithItsLocationAndFieldPath(int line, String replacement, List<String> expected) {
        ParseResult result = parse(fullWithLine(line, replacement));
        assertThat(errors(result)).containsExactlyElementsOf(expected);
        assertThat(result.manifests()).hasSize(expected.isEmpty() ? 1 : 0);
    }

    @Test
    void fullManifestReadsAsWritten() {
        ParseResult result = parse(FULL);
        assertThat(result.errors()).isEmpty();
        Manifest m = result.manifests().get(0);
        assertThat(m.name()).isEqualTo("web");
        assertThat(m.labels()).isEqualTo(Map.of("app", "web"));
        assertThat(m.location()).isEqualTo(new Location("t.yaml", 1, 1));
        assertThat(m.spec()).isEqualTo(new SandboxSpec(
                Rootfs.directory("/srv/rootfs/web"),
                new ProcessSpec(List.of("/bin/httpd", "-f"), "/var/www", Map.of("GREETING", "hello"),
                        new ProcessSpec.User(1000, 1000)),
                "web",
                List.of("net1"),
                List.of(new MountSpec("/srv/www", "/var/www", true)),
                new Resources(268_435_456L, 500L, 256L),
                RestartPolicy.Always));
    }

    @Test
    void minimalManifestGetsEveryDefault() {
        Manifest m = parse(MINIMAL).manifests().get(0);
        assertThat(m.labels()).isEmpty();
        assertThat(m.spec()).isEqualTo(new SandboxSpec(
                Rootfs.directory("/srv/rootfs/web"),
                new ProcessSpec(List.of("/bin/true"), "/", Map.of(), ProcessSpec.User.ROOT),
                "web", List.of(), List.of(), Resources.NONE, RestartPolicy.Always));
    }

    @Test
    void mountsAreReadOnlyUnlessTheManifestSaysOtherwise() {
        String yaml = MINIMAL + "  mounts:\n    - {source: /srv/a, destination: /a}\n"
                + "    - {source: /srv/b, destination: /b, readOnly: false}\n";
        assertThat(parse(yaml).manifests().get(0).spec().mounts()).containsExactly(
                new MountSpec("/srv/a", "/a", true), new MountSpec("/srv/b", "/b", false));
    }

    @Test
    void twoMountsOnOneDestinationAreRefused() {
        String yaml = MINIMAL + "  mounts:\n    - {source: /srv/a, destination: /data}\n"
                + "    - {source: /srv/b, destination: /data}\n";
        assertThat(errors(yaml)).containsExactly(
                "9:37: spec.mounts[1].destination: duplicate destination (also spec.mounts[0])");
    }

    @Test
    void archiveRootfsIsReadAndPathAndArchiveExcludeEachOther() {
        String archive = MINIMAL.replace("{path: /srv/rootfs/web}", "{archive: /srv/images/web.tar.gz}");
        assertThat(parse(archive).manifests().get(0).spec().rootfs()).isEqualTo(Rootfs.archive("/srv/images/web.tar.gz"));
        assertThat(errors(MINIMAL.replace("{path: /srv/rootfs/web}", "{archive: /srv/web.tgz, path: /srv/web}")))
                .containsExactly("5:11: spec.rootfs: must have exactly one of path, archive or image");
        assertThat(errors(MINIMAL.replace("{path: /srv/rootfs/web}", "{archive: /srv/web.zip}")))
                .containsExactly("5:21: spec.rootfs.archive: must be a .tar, .tar.gz or .tgz file");
        assertThat(errors(MINIMAL.replace("{path: /srv/rootfs/web}", "{}")))
                .containsExactly("5:11: spec.rootfs: must have exactly one of path, archive or image");
        assertThat(errors(MINIMAL.replace("{path: /srv/rootfs/web}", "{path: /}")))
                .containsExactly("5:18: spec.rootfs.path: must not be the host's root directory");
    }

    @Test
    void yaml11WordsAndNumbersAreKeptAsWrittenWhereStringsAreExpected() {
        String yaml = MINIMAL.replace("[/bin/true]", "[/bin/echo, no, on, 0644, 1_000, 2001-12-14, .nan, 1e999999, true, ~x]")
                + "  hostname: \"0644\"\n";
        Manifest m = parse(yaml).manifests().get(0);
        assertThat(m.spec().process().args()).containsExactly(
                "/bin/echo", "no", "on", "0644", "1_000", "2001-12-14", ".nan", "1e999999", "true", "~x");
        assertThat(m.spec().hostname()).isEqualTo("0644");
    }

    @Test
    void everyErrorOfADocumentIsReportedAtOnce() {
        String yaml = """
                apiVersion: sandlot.dev/v2
                kind: Sandbox
                metadata: {name: Web}
                spec:
                  rootfs: {path: relative}
                  process: {args: [], cwd: /proc}
                  restartPolicy: never
                  extra: 1
                """;
        assertThat(errors(yaml)).containsExactly(
                "1:13: apiVersion: must be sandlot.dev/v1",
                "3:18: metadata.name: " + NAME_RULE,
                "5:18: spec.rootfs.path: must be an absolute path",
                "6:19: spec.process.args: must list at least the program to run",
                "6:28: spec.process.cwd: must not be /proc or under it (runc CVE-2024-21626)",
                "7:18: spec.restartPolicy: must be one of Always, OnFailure, Never",
                "8:3: spec.extra: unknown field (allowed: rootfs, process, hostname, networks, mounts, resources, restartPolicy,"
                        + " healthCheck, dependsOn, suspend, stopSignal, terminationGracePeriod, schedule, ports, dns, placement)");
    }

    @Test
    void aDocumentThatIsNotAMappingIsRefused() {
        assertThat(errors("- a\n- b\n")).containsExactly(
                "1:1: a manifest must be a mapping with apiVersion, kind, metadata and spec, not a list");
        assertThat(errors("just text\n")).containsExactly(
                "1:1: a manifest must be a mapping with apiVersion, kind, metadata and spec, not a string");
    }

    @Test
    void theMountAllowListIsAParameter() {
        String yaml = MINIMAL + "  mounts: [{source: /data/www, destination: /www}]\n";
        byte[] bytes = yaml.getBytes(StandardCharsets.UTF_8);
        assertThat(ManifestParser.parse("t.yaml", bytes, List.of(Path.of("/data"))).errors()).isEmpty();
        assertThat(ManifestParser.parse("t.yaml", bytes, List.of(Path.of("/srv"), Path.of("/data/"))).errors()).isEmpty();
        assertThat(ManifestParser.parse("t.yaml", bytes, List.of()).errors()).extracting(ManifestError::message)
                .containsExactly("bind mounts are not allowed on this host (the mount allow-list is empty)");
        assertThatThrownBy(() -> ManifestParser.parse("t.yaml", bytes, List.of(Path.of("data"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/etc", "/etc/ssl", "/proc", "/sys/fs", "/dev", "/run", "/var/lib/cni", "/var/lib/sandlot/logs", "/"})
    void systemFoldersAreRefusedEvenWhenTheAllowListCoversThem(String source) {
        String yaml = MINIMAL + "  mounts: [{source: " + source + ", destination: /www}]\n";
        List<ManifestError> errors = ManifestParser.parse("t.yaml", yaml.getBytes(StandardCharsets.UTF_8),
                List.of(Path.of("/"))).errors();
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.fieldPath()).isEqualTo("spec.mounts[0].source");
            assertThat(e.message()).startsWith("must not be");
        });
    }

    @Test
    void validationNeverLooksAtTheHost() {
        String yaml = MINIMAL.replace("/srv/rootfs/web", "/srv/does/not/exist/" + System.nanoTime())
                + "  mounts: [{source: /srv/missing/" + System.nanoTime() + ", destination: /www}]\n";
        assertThat(parse(yaml).errors()).isEmpty();
    }
}
