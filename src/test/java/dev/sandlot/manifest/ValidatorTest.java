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

    // ---- the later fields: each edit keeps line 19 (restartPolicy) and adds from line 20 on

    private static final String DURATION_RULE = "must be a duration with a unit, such as 500ms, 10s, 2m or 1h30m";
    private static final String SIGNAL_RULE = "must be a signal name, with or without SIG, such as TERM, INT, QUIT,"
            + " HUP, USR1, USR2 or WINCH (not STOP, which cannot be caught)";
    private static final String SCHEDULE_RULE = "must be a Quartz cron expression: seconds minutes hours day-of-month"
            + " month day-of-week [year], with '?' in one of the day fields, such as 0 */5 * * * ?";
    private static final String IP_RULE = "must be an IPv4 address (such as 10.0.0.1, no leading zeros) or an IPv6"
            + " address (such as fd00::1, hex groups only)";
    private static final String PORT_CONFLICT = "host port already published by spec.ports[0] (same hostPort and"
            + " protocol, and the same hostIP or one of them every address)";
    private static final String PATH_RULE = "must be an absolute URL path such as /healthz: starting with '/', only"
            + " URL characters and %XX escapes, no spaces, at most 2048 characters";
    private static final String DOMAIN_RULE =
            "must be a domain name of at most 253 characters (labels of letters, digits and '-', separated by '.')";
    private static final String HOST_PATTERN_RULE = "must be a host name pattern: letters, digits, '.', '-' and the"
            + " wildcards '*' and '?', at most 253 characters";
    private static final String REF_RULE = "must be an image reference name (such as latest, 3.12-slim or"
            + " example.com/app:v1): letters and digits joined by '.', '_', '-', ':', '@', '+' or '/', at most 255"
            + " characters";

    /** {@link Manifests#FULL} plus {@code lines} after restartPolicy, which stays Always. */
    private static Arguments with(String lines, List<String> expected) {
        return arguments(19, "  restartPolicy: Always\n" + lines, expected);
    }

    /** As {@link #with} with {@code restartPolicy: Never}, which a schedule needs. */
    private static Arguments never(String lines, List<String> expected) {
        return arguments(19, "  restartPolicy: Never\n" + lines, expected);
    }

    static Stream<Arguments> laterRules() {
        return Stream.of(
                // healthCheck
                with("  healthCheck: {tcp: {port: 8000}}", List.of()),
                with("  healthCheck: {http: {port: 8000, path: \"/healthz?full=1\", expectStatus: 204}, interval: 5s,"
                        + " timeout: 500ms, failureThreshold: 1, startPeriod: 1m30s}", List.of()),
                with("  healthCheck: {exec: {command: [/bin/check, --quick]}}", List.of()),
                with("  healthCheck: {}", List.of("20:16: spec.healthCheck: must have exactly one of http, tcp or exec")),
                with("  healthCheck: {interval: 5s}",
                        List.of("20:16: spec.healthCheck: must have exactly one of http, tcp or exec")),
                with("  healthCheck: {tcp: {port: 1}, exec: {command: [x]}}",
                        List.of("20:16: spec.healthCheck: must have exactly one of http, tcp or exec")),
                with("  healthCheck: {tcp: {port: 0}}",
                        List.of("20:29: spec.healthCheck.tcp.port: must be between 1 and 65535")),
                with("  healthCheck: {tcp: {port: 65536}}",
                        List.of("20:29: spec.healthCheck.tcp.port: must be between 1 and 65535")),
                with("  healthCheck: {tcp: {port: \"80\"}}",
                        List.of("20:29: spec.healthCheck.tcp.port: must be an integer, not a string")),
                with("  healthCheck: {tcp: {port: 0x50}}",
                        List.of("20:29: spec.healthCheck.tcp.port: must be an integer, not a number")),
                with("  healthCheck: {tcp: {}}", List.of("20:22: spec.healthCheck.tcp.port: required field is missing")),
                with("  healthCheck: {tcp: 8000}", List.of("20:22: spec.healthCheck.tcp: must be a mapping, not a number")),
                with("  healthCheck: {http: {port: 80, path: healthz}}",
                        List.of("20:40: spec.healthCheck.http.path: " + PATH_RULE)),
                with("  healthCheck: {http: {port: 80, path: \"/a b\"}}",
                        List.of("20:40: spec.healthCheck.http.path: " + PATH_RULE)),
                with("  healthCheck: {http: {port: 80, path: \"/a%zz\"}}",
                        List.of("20:40: spec.healthCheck.http.path: " + PATH_RULE)),
                with("  healthCheck: {http: {port: 80, path: \"/a\\n\"}}",
                        List.of("20:40: spec.healthCheck.http.path: " + PATH_RULE)),
                with("  healthCheck: {http: {port: 80, expectStatus: 600}}",
                        List.of("20:48: spec.healthCheck.http.expectStatus: must be between 100 and 599")),
                with("  healthCheck: {http: {port: 80, expectStatus: 99}}",
                        List.of("20:48: spec.healthCheck.http.expectStatus: must be between 100 and 599")),
                with("  healthCheck: {http: {path: /}}", List.of("20:23: spec.healthCheck.http.port: required field is missing")),
                with("  healthCheck: {http: {port: 80, scheme: https}}", List.of(
                        "20:34: spec.healthCheck.http.scheme: unknown field (allowed: port, path, expectStatus)")),
                with("  healthCheck: {exec: {command: []}}",
                        List.of("20:33: spec.healthCheck.exec.command: must list at least the program to run")),
                with("  healthCheck: {exec: {command: \"curl localhost\"}}",
                        List.of("20:33: spec.healthCheck.exec.command: must be a list, not a string")),
                with("  healthCheck: {exec: {command: [\"\"]}}",
                        List.of("20:34: spec.healthCheck.exec.command[0]: the program to run must not be empty")),
                with("  healthCheck: {tcp: {port: 80}, interval: 10}", List.of("20:44: spec.healthCheck.interval: " + DURATION_RULE)),
                with("  healthCheck: {tcp: {port: 80}, interval: 5 s}", List.of("20:44: spec.healthCheck.interval: " + DURATION_RULE)),
                with("  healthCheck: {tcp: {port: 80}, interval: 1:30}", List.of("20:44: spec.healthCheck.interval: " + DURATION_RULE)),
                with("  healthCheck: {tcp: {port: 80}, interval: 500ms}",
                        List.of("20:44: spec.healthCheck.interval: must be from 1s to 1h")),
                with("  healthCheck: {tcp: {port: 80}, interval: 2h}",
                        List.of("20:44: spec.healthCheck.interval: must be from 1s to 1h")),
                with("  healthCheck: {tcp: {port: 80}, interval: [5s]}",
                        List.of("20:44: spec.healthCheck.interval: must be a duration such as 10s, not a list")),
                with("  healthCheck: {tcp: {port: 80}, timeout: 50ms}",
                        List.of("20:43: spec.healthCheck.timeout: must be from 100ms to 1h")),
                with("  healthCheck: {tcp: {port: 80}, failureThreshold: 0}",
                        List.of("20:52: spec.healthCheck.failureThreshold: must be between 1 and 100")),
                with("  healthCheck: {tcp: {port: 80}, failureThreshold: 101}",
                        List.of("20:52: spec.healthCheck.failureThreshold: must be between 1 and 100")),
                with("  healthCheck: {tcp: {port: 80}, startPeriod: 1h1s}",
                        List.of("20:47: spec.healthCheck.startPeriod: must be from 0s to 1h")),
                with("  healthCheck: {tcp: {port: 80}, retries: 3}", List.of("20:34: spec.healthCheck.retries: unknown field"
                        + " (allowed: http, tcp, exec, interval, timeout, failureThreshold, startPeriod)")),
                with("  healthCheck: tcp", List.of("20:16: spec.healthCheck: must be a mapping, not a string")),
                with("  healthcheck: {tcp: {port: 80}}",
                        List.of("20:3: spec.healthcheck: unknown field (did you mean healthCheck?)")),
                // dependsOn
                with("  dependsOn: [db, cache-1, \"0\"]", List.of()),
                with("  dependsOn: [web]", List.of("20:15: spec.dependsOn[0]: must name another sandbox, not this one")),
                with("  dependsOn: [db, db]", List.of("20:19: spec.dependsOn[1]: duplicate dependency (also spec.dependsOn[0])")),
                with("  dependsOn: [DB]", List.of("20:15: spec.dependsOn[0]: must be a sandbox name: 1 to 32 characters of"
                        + " a-z, 0-9 and '-', starting and ending with a letter or digit")),
                with("  dependsOn: [../db]", List.of("20:15: spec.dependsOn[0]: must be a sandbox name: 1 to 32 characters"
                        + " of a-z, 0-9 and '-', starting and ending with a letter or digit")),
                with("  dependsOn: db", List.of("20:14: spec.dependsOn: must be a list, not a string")),
                with("  dependsOn: [~]", List.of("20:15: spec.dependsOn[0]: must be a string, not null")),
                // suspend
                with("  suspend: true", List.of()),
                with("  suspend: yes", List.of("20:12: spec.suspend: must be true or false, not a string")),
                with("  suspend: \"true\"", List.of("20:12: spec.suspend: must be true or false, not a string")),
                with("  suspend: 1", List.of("20:12: spec.suspend: must be true or false, not a number")),
                // stopSignal
                with("  stopSignal: SIGINT", List.of()),
                with("  stopSignal: WINCH", List.of()),
                with("  stopSignal: KILL", List.of()),
                with("  stopSignal: sigterm", List.of("20:15: spec.stopSignal: " + SIGNAL_RULE)),
                with("  stopSignal: STOP", List.of("20:15: spec.stopSignal: " + SIGNAL_RULE)),
                with("  stopSignal: 15", List.of("20:15: spec.stopSignal: " + SIGNAL_RULE)),
                with("  stopSignal: SIGRTMIN", List.of("20:15: spec.stopSignal: " + SIGNAL_RULE)),
                with("  stopSignal: SIG", List.of("20:15: spec.stopSignal: " + SIGNAL_RULE)),
                with("  stopSignal: ~", List.of("20:15: spec.stopSignal: must be a string, not null")),
                // terminationGracePeriod
                with("  terminationGracePeriod: 30s", List.of()),
                with("  terminationGracePeriod: 0s", List.of()),
                with("  terminationGracePeriod: 1h", List.of()),
                with("  terminationGracePeriod: 500ms", List.of()),
                with("  terminationGracePeriod: 1h1ms",
                        List.of("20:27: spec.terminationGracePeriod: must be from 0s to 1h")),
                with("  terminationGracePeriod: 30", List.of("20:27: spec.terminationGracePeriod: " + DURATION_RULE)),
                with("  terminationGracePeriod: -1s", List.of("20:27: spec.terminationGracePeriod: " + DURATION_RULE)),
                with("  terminationGracePeriod: 1.5s", List.of("20:27: spec.terminationGracePeriod: " + DURATION_RULE)),
                with("  terminationGracePeriod: ~",
                        List.of("20:27: spec.terminationGracePeriod: must be a duration such as 10s, not null")),
                with("  terminationGracePeriodSeconds: 30", List.of("20:3: spec.terminationGracePeriodSeconds: unknown"
                        + " field (allowed: rootfs, process, hostname, networks, mounts, resources, restartPolicy,"
                        + " healthCheck, dependsOn, suspend, stopSignal, terminationGracePeriod, schedule, ports, dns,"
                        + " placement)")),
                // schedule
                never("  schedule: \"0 */5 * * * ?\"", List.of()),
                never("  schedule: 0 0 12 ? * MON-FRI", List.of()),
                arguments(19, "  restartPolicy: OnFailure\n  schedule: \"0 0 0 1 1 ? 2099\"", List.of()),
                never("  schedule: \"*/5 * * * *\"", List.of("20:13: spec.schedule: " + SCHEDULE_RULE)),
                never("  schedule: \"0 0 * * * *\"", List.of("20:13: spec.schedule: " + SCHEDULE_RULE)),
                never("  schedule: \"@daily\"", List.of("20:13: spec.schedule: " + SCHEDULE_RULE)),
                never("  schedule: ~", List.of("20:13: spec.schedule: must be a string, not null")),
                with("  schedule: \"0 0 * * * ?\"", List.of("20:13: spec.schedule: needs spec.restartPolicy Never or"
                        + " OnFailure, written out: a scheduled run ends, and Always would start it again at once")),
                arguments(19, "  schedule: \"0 0 * * * ?\"", List.of("19:13: spec.schedule: needs spec.restartPolicy"
                        + " Never or OnFailure, written out: a scheduled run ends, and the default Always would start it"
                        + " again at once")),
                arguments(19, "  restartPolicy: never\n  schedule: \"0 0 * * * ?\"",
                        List.of("19:18: spec.restartPolicy: must be one of Always, OnFailure, Never")),
                // ports
                with("  ports: [{containerPort: 8000}]", List.of()),
                with("  ports: [{containerPort: 8000, hostPort: 80, protocol: UDP, hostIP: \"::1\"}]", List.of()),
                with("  ports: [{containerPort: 80}, {containerPort: 80, protocol: udp}]", List.of()),
                with("  ports: [{containerPort: 80, hostIP: 127.0.0.1}, {containerPort: 80, hostIP: 127.0.0.2}]", List.of()),
                with("  ports: [{containerPort: 80}, {containerPort: 81, hostPort: 8080}]", List.of()),
                with("  ports: [{containerPort: 0}]", List.of("20:27: spec.ports[0].containerPort: must be between 1 and 65535")),
                with("  ports: [{containerPort: 80, hostPort: 65536}]",
                        List.of("20:41: spec.ports[0].hostPort: must be between 1 and 65535")),
                with("  ports: [{hostPort: 80}]", List.of("20:11: spec.ports[0].containerPort: required field is missing")),
                with("  ports: [{containerPort: 80, protocol: sctp}]", List.of("20:41: spec.ports[0].protocol: must be tcp or udp")),
                with("  ports: [{containerPort: 80, protocol: Tcp}]", List.of("20:41: spec.ports[0].protocol: must be tcp or udp")),
                with("  ports: [{containerPort: 80, hostIP: 010.0.0.1}]", List.of("20:39: spec.ports[0].hostIP: " + IP_RULE)),
                with("  ports: [{containerPort: 80, hostIP: localhost}]", List.of("20:39: spec.ports[0].hostIP: " + IP_RULE)),
                with("  ports: [{containerPort: 80, hostIP: \"fe80::1%eth0\"}]", List.of("20:39: spec.ports[0].hostIP: " + IP_RULE)),
                with("  ports: [{containerPort: 80}, {containerPort: 81, hostPort: 80}]", List.of("20:32: spec.ports[1]: " + PORT_CONFLICT)),
                with("  ports: [{containerPort: 80}, {containerPort: 80}]", List.of("20:32: spec.ports[1]: " + PORT_CONFLICT)),
                with("  ports: [{containerPort: 80, hostIP: \"::1\"}, {containerPort: 80, hostIP: \"0::1\"}]",
                        List.of("20:47: spec.ports[1]: " + PORT_CONFLICT)),
                with("  ports: [{containerPort: 80, hostIP: 10.0.0.1}, {containerPort: 80}]",
                        List.of("20:50: spec.ports[1]: " + PORT_CONFLICT)),
                with("  ports: [{containerPort: 80, name: http}]",
                        List.of("20:31: spec.ports[0].name: unknown field (allowed: containerPort, hostPort, protocol, hostIP)")),
                with("  ports: [\"8080:80\"]", List.of("20:11: spec.ports[0]: must be a mapping, not a string")),
                // dns
                with("  dns: {nameservers: [10.0.0.53, \"fd00::53\"], searches: [svc.example.com, example.com],"
                        + " options: [ndots:2, edns0, single-request-reopen]}", List.of()),
                with("  dns: {}", List.of()),
                with("  dns: {nameservers: [1.1.1.1, 8.8.8.8, 9.9.9.9, 1.0.0.1]}",
                        List.of("20:22: spec.dns.nameservers: must list at most 3 nameservers (resolv.conf reads no more)")),
                with("  dns: {nameservers: [dns.google]}", List.of("20:23: spec.dns.nameservers[0]: " + IP_RULE)),
                with("  dns: {nameservers: [256.0.0.1]}", List.of("20:23: spec.dns.nameservers[0]: " + IP_RULE)),
                with("  dns: {nameservers: [10.0.0.1, 10.0.0.1]}",
                        List.of("20:33: spec.dns.nameservers[1]: duplicate nameserver (also spec.dns.nameservers[0])")),
                with("  dns: {nameservers: [\"::1\", \"0:0::1\"]}",
                        List.of("20:30: spec.dns.nameservers[1]: duplicate nameserver (also spec.dns.nameservers[0])")),
                with("  dns: {nameservers: 1.1.1.1}", List.of("20:22: spec.dns.nameservers: must be a list, not a string")),
                with("  dns: {searches: [a, b, c, d, e, f, g]}",
                        List.of("20:19: spec.dns.searches: must list at most 6 search domains")),
                with("  dns: {searches: [-bad.com]}", List.of("20:20: spec.dns.searches[0]: " + DOMAIN_RULE)),
                with("  dns: {searches: [example.com.]}", List.of("20:20: spec.dns.searches[0]: " + DOMAIN_RULE)),
                with("  dns: {searches: [a, a]}",
                        List.of("20:23: spec.dns.searches[1]: duplicate search domain (also spec.dns.searches[0])")),
                with("  dns: {options: [\"ndots: 2\"]}", List.of("20:19: spec.dns.options[0]: must be a resolv.conf option"
                        + " such as ndots:2 or edns0: at most 64 letters, digits, '_', '.', ':', '+' and '-', no spaces")),
                with("  dns: {options: [edns0, edns0]}",
                        List.of("20:26: spec.dns.options[1]: duplicate option (also spec.dns.options[0])")),
                with("  dns: {servers: [1.1.1.1]}",
                        List.of("20:9: spec.dns.servers: unknown field (allowed: nameservers, searches, options)")),
                with("  dns: [1.1.1.1]", List.of("20:8: spec.dns: must be a mapping, not a list")),
                // placement
                with("  placement: {hosts: [web-*, \"db?.example.com\"], hostLabels: {zone: eu-1, ssd: \"true\"}}", List.of()),
                with("  placement: {hostLabels: {example.com/zone: a}}", List.of()),
                with("  placement: {}",
                        List.of("20:14: spec.placement: must have hosts or hostLabels (leave placement out to run on every host)")),
                with("  placement: {hosts: []}", List.of("20:22: spec.placement.hosts: must list at least one host name"
                        + " pattern (leave hosts out to allow any host name)")),
                with("  placement: {hosts: [web_1]}", List.of("20:23: spec.placement.hosts[0]: " + HOST_PATTERN_RULE)),
                with("  placement: {hosts: [\"[a-z]*\"]}", List.of("20:23: spec.placement.hosts[0]: " + HOST_PATTERN_RULE)),
                with("  placement: {hosts: [a, a]}",
                        List.of("20:26: spec.placement.hosts[1]: duplicate pattern (also spec.placement.hosts[0])")),
                with("  placement: {hostLabels: {}}", List.of("20:27: spec.placement.hostLabels: must have at least one"
                        + " label (leave hostLabels out to allow any labels)")),
                with("  placement: {hostLabels: {zone: \"a b\"}}", List.of("20:34: spec.placement.hostLabels.zone: label values"
                        + " must be empty or at most 63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit")),
                with("  placement: {host: [a]}", List.of(
                        "20:14: spec.placement: must have hosts or hostLabels (leave placement out to run on every host)",
                        "20:15: spec.placement.host: unknown field (did you mean hosts?)")),
                // process.envFrom (replacing process.user)
                arguments(13, "    envFrom: [/etc/sandlot/secrets/web.env, /srv/web/.env]", List.of()),
                arguments(13, "    envFrom: [secrets.env]", List.of("13:15: spec.process.envFrom[0]: must be an absolute path")),
                arguments(13, "    envFrom: [/proc/self/environ]",
                        List.of("13:15: spec.process.envFrom[0]: must not be /proc or under it")),
                arguments(13, "    envFrom: [\"/etc/../shadow\"]",
                        List.of("13:15: spec.process.envFrom[0]: must be a normalized absolute path (no '..')")),
                arguments(13, "    envFrom: [/a, /a]",
                        List.of("13:19: spec.process.envFrom[1]: duplicate file (also spec.process.envFrom[0])")),
                arguments(13, "    envFrom: /etc/web.env", List.of("13:14: spec.process.envFrom: must be a list, not a string")),
                arguments(13, "    envFrom: [/]", List.of("13:15: spec.process.envFrom[0]: must be a file, not /")),
                // rootfs.image (replacing rootfs.path)
                arguments(8, "    image: {layout: /srv/images/web, ref: \"3.12-slim\"}", List.of()),
                arguments(8, "    image: {layout: /srv/images/web}", List.of()),
                arguments(8, "    image: {layout: images/web}", List.of("8:21: spec.rootfs.image.layout: must be an absolute path")),
                arguments(8, "    image: {layout: /proc/1/root}",
                        List.of("8:21: spec.rootfs.image.layout: must not be /proc or under it")),
                arguments(8, "    image: {layout: /}",
                        List.of("8:21: spec.rootfs.image.layout: must not be the host's root directory")),
                arguments(8, "    image: {ref: latest}", List.of("8:12: spec.rootfs.image.layout: required field is missing")),
                arguments(8, "    image: {layout: /srv/i, ref: \"a b\"}", List.of("8:34: spec.rootfs.image.ref: " + REF_RULE)),
                arguments(8, "    image: {layout: /srv/i, ref: -x}", List.of("8:34: spec.rootfs.image.ref: " + REF_RULE)),
                arguments(8, "    image: /srv/images/web", List.of("8:12: spec.rootfs.image: must be a mapping, not a string")),
                arguments(8, "    image: {layout: /srv/i, digest: \"sha256:ab\"}",
                        List.of("8:29: spec.rootfs.image.digest: unknown field (allowed: layout, ref)")),
                arguments(8, "    path: /srv/r\n    image: {layout: /srv/i}",
                        List.of("8:5: spec.rootfs: must have exactly one of path, archive or image")));
    }

    /** Host folders with credentials or state are never a root filesystem (HostFolders.ROOTFS), as written. */
    static Stream<Arguments> rootfsHostFolders() {
        return Stream.of(
                arguments("    path: /srv/sandlot/rootfs/busybox", List.of()),
                arguments("    path: /opt/rootfs", List.of()),
                arguments("    path: /var/lib/machines/web", List.of()),
                arguments("    path: /etcetera", List.of()),
                arguments("    path: /tmp/rootfs", List.of()),
                arguments("    path: /etc", List.of("8:11: spec.rootfs.path: must not be /etc or under it")),
                arguments("    path: /etc/ssl", List.of("8:11: spec.rootfs.path: must not be /etc or under it")),
                arguments("    path: /root", List.of("8:11: spec.rootfs.path: must not be /root or under it")),
                arguments("    path: /home/alice", List.of("8:11: spec.rootfs.path: must not be /home or under it")),
                arguments("    path: /boot", List.of("8:11: spec.rootfs.path: must not be /boot or under it")),
                arguments("    path: /run/sandlot", List.of("8:11: spec.rootfs.path: must not be /run or under it")),
                arguments("    path: /var/run", List.of("8:11: spec.rootfs.path: must not be /var/run or under it")),
                arguments("    path: /var/log", List.of("8:11: spec.rootfs.path: must not be /var/log or under it")),
                arguments("    path: /var/backups", List.of("8:11: spec.rootfs.path: must not be /var/backups or under it")),
                arguments("    path: /var/lib/sandlot/rootfs/sha256-ab",
                        List.of("8:11: spec.rootfs.path: must not be /var/lib/sandlot or under it")),
                arguments("    path: /var/lib/cni", List.of("8:11: spec.rootfs.path: must not be /var/lib/cni or under it")),
                arguments("    path: /var", List.of("8:11: spec.rootfs.path: must not contain /var/run (the sandbox would see it)")),
                arguments("    path: /var/lib",
                        List.of("8:11: spec.rootfs.path: must not contain /var/lib/sandlot (the sandbox would see it)")),
                arguments("    archive: /srv/images/web.tar", List.of()),
                arguments("    archive: /root/backup.tar", List.of("8:14: spec.rootfs.archive: must not be under /root")),
                arguments("    archive: /etc/web.tar.gz", List.of("8:14: spec.rootfs.archive: must not be under /etc")),
                arguments("    archive: /var/lib/sandlot/x.tgz",
                        List.of("8:14: spec.rootfs.archive: must not be under /var/lib/sandlot")),
                arguments("    image: {layout: /srv/images/web}", List.of()),
                arguments("    image: {layout: /home/alice/oci}",
                        List.of("8:21: spec.rootfs.image.layout: must not be /home or under it")),
                arguments("    image: {layout: /var/lib}",
                        List.of("8:21: spec.rootfs.image.layout: must not contain /var/lib/sandlot (the sandbox would see it)")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rootfsHostFolders")
    void hostFoldersWithCredentialsOrStateAreNeverARootfs(String replacement, List<String> expected) {
        assertThat(errors(fullWithLine(8, replacement))).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest(name = "line {0}: {1}")
    @MethodSource("laterRules")
    void reportsEachBrokenRuleOfTheLaterFieldsWithItsLocationAndFieldPath(int line, String replacement,
            List<String> expected) {
        ParseResult result = parse(fullWithLine(line, replacement));
        assertThat(errors(result)).containsExactlyElementsOf(expected);
        assertThat(result.manifests()).hasSize(expected.isEmpty() ? 1 : 0);
    }

    @Test
    void portsNeedANetwork() {
        String yaml = fullWithLine(15, "  networks: []") + "  ports: [{containerPort: 80}]\n";
        assertThat(errors(yaml)).containsExactly("20:10: spec.ports: needs at least one network in spec.networks"
                + " (ports are published by a CNI plugin; loopback alone has none)");
        assertThat(errors(fullWithLine(15, "  networks: []") + "  ports: []\n")).isEmpty();
        assertThat(errors(fullWithLine(15, "") + "  ports: [{containerPort: 80}]\n")).containsExactly(
                "19:10: spec.ports: needs at least one network in spec.networks"
                        + " (ports are published by a CNI plugin; loopback alone has none)");
    }

    @Test
    void everyLaterFieldReadsAsWritten() {
        String yaml = """
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata: {name: web}
                spec:
                  rootfs: {archive: /srv/images/web.tar}
                  process:
                    args: [/bin/httpd, -f]
                    envFrom: [/etc/sandlot/secrets/web.env]
                  networks: [net1]
                  restartPolicy: OnFailure
                  healthCheck:
                    http: {port: 8000, path: /healthz}
                    interval: 5s
                    timeout: 500ms
                    failureThreshold: 2
                    startPeriod: 1m
                  dependsOn: [db, cache]
                  suspend: true
                  stopSignal: SIGQUIT
                  terminationGracePeriod: 1m30s
                  schedule: "0 0 3 * * ?"
                  ports:
                    - {containerPort: 8000, hostPort: 8080, hostIP: "FD00::0001"}
                    - {containerPort: 53, protocol: UDP}
                  dns: {nameservers: [10.0.0.53], searches: [example.com], options: [ndots:2]}
                  placement: {hosts: [web-*], hostLabels: {zone: eu}}
                """;
        ParseResult result = parse(yaml);
        assertThat(result.errors()).isEmpty();
        assertThat(result.manifests().get(0).spec()).isEqualTo(new SandboxSpec(
                Rootfs.archive("/srv/images/web.tar"),
                new ProcessSpec(List.of("/bin/httpd", "-f"), "/", Map.of(), ProcessSpec.User.ROOT,
                        List.of("/etc/sandlot/secrets/web.env")),
                "web", List.of("net1"), List.of(), Resources.NONE, RestartPolicy.OnFailure,
                new HealthCheck(new HttpCheck(8000, "/healthz", 200), null, null, 5_000, 500, 2, 60_000),
                List.of("db", "cache"),
                true,
                "QUIT",
                90_000L,
                "0 0 3 * * ?",
                List.of(new PortMapping(8000, 8080, "tcp", "fd00::1"), new PortMapping(53, 53, "udp", null)),
                new Dns(List.of("10.0.0.53"), List.of("example.com"), List.of("ndots:2")),
                new Placement(List.of("web-*"), Map.of("zone", "eu"))));
        SandboxSpec spec = result.manifests().get(0).spec();
        assertThat(spec.effectiveStopSignal()).isEqualTo("QUIT");
        assertThat(spec.gracePeriod()).hasSeconds(90);
    }

    @Test
    void theLaterFieldsDefaultToAbsent() {
        SandboxSpec spec = parse(MINIMAL).manifests().get(0).spec();
        assertThat(spec.healthCheck()).isNull();
        assertThat(spec.dependsOn()).isEmpty();
        assertThat(spec.suspend()).isFalse();
        assertThat(spec.stopSignal()).isNull();
        assertThat(spec.effectiveStopSignal()).isEqualTo("TERM");
        assertThat(spec.terminationGracePeriodMillis()).isNull();
        assertThat(spec.gracePeriod()).hasSeconds(10);
        assertThat(spec.schedule()).isNull();
        assertThat(spec.ports()).isEmpty();
        assertThat(spec.dns()).isNull();
        assertThat(spec.placement()).isNull();
        assertThat(spec.process().envFrom()).isEmpty();
        assertThat(spec.rootfs().image()).isNull();
        HealthCheck check = parse(MINIMAL + "  healthCheck: {http: {port: 80}}\n").manifests().get(0).spec().healthCheck();
        assertThat(check).isEqualTo(new HealthCheck(new HttpCheck(80, "/", 200), null, null, 10_000, 1_000, 3, 0));
        assertThat(parse(MINIMAL + "  stopSignal: TERM\n  terminationGracePeriod: 10s\n").manifests().get(0).spec())
                .isEqualTo(spec);
    }

    @Test
    void anImageRootfsLeavesArgsCwdAndUserToTheImageConfig() {
        String image = MINIMAL.replace("{path: /srv/rootfs/web}", "{image: {layout: /srv/images/py, ref: \"3.12\"}}");
        SandboxSpec spec = parse(image.replace("  process: {args: [/bin/true]}\n", "")).manifests().get(0).spec();
        assertThat(spec.rootfs()).isEqualTo(Rootfs.image(new Image("/srv/images/py", "3.12")));
        assertThat(spec.process()).isEqualTo(new ProcessSpec(List.of(), null, Map.of(), null, List.of()));

        spec = parse(image.replace("{args: [/bin/true]}", "{env: {A: b}}")).manifests().get(0).spec();
        assertThat(spec.process()).isEqualTo(new ProcessSpec(List.of(), null, Map.of("A", "b"), null, List.of()));
        spec = parse(image.replace("{args: [/bin/true]}", "{args: []}")).manifests().get(0).spec();
        assertThat(spec.process().args()).isEmpty();
        spec = parse(image.replace("{args: [/bin/true]}", "{args: [python3, -m, http.server], cwd: /app,"
                + " user: {uid: 1000, gid: 1000}}")).manifests().get(0).spec();
        assertThat(spec.process()).isEqualTo(new ProcessSpec(List.of("python3", "-m", "http.server"), "/app", Map.of(),
                new ProcessSpec.User(1000, 1000), List.of()));
        assertThat(errors(image.replace("{args: [/bin/true]}", "{args: [\"\"]}")))
                .containsExactly("6:20: spec.process.args[0]: the program to run must not be empty");
        assertThat(errors(image.replace("{args: [/bin/true]}", "{args: [/bin/x], cwd: relative}")))
                .containsExactly("6:34: spec.process.cwd: must be an absolute path");
    }

    @Test
    void aPathOrArchiveRootfsStillNeedsTheProcessSpelledOut() {
        assertThat(errors(MINIMAL.replace("  process: {args: [/bin/true]}\n", "")))
                .containsExactly("5:3: spec.process: required field is missing");
        assertThat(errors(MINIMAL.replace("{args: [/bin/true]}", "{args: []}")))
                .containsExactly("6:19: spec.process.args: must list at least the program to run");
        assertThat(errors(MINIMAL.replace("{args: [/bin/true]}", "{env: {A: b}}")))
                .containsExactly("6:12: spec.process.args: required field is missing");
        String both = MINIMAL.replace("{path: /srv/rootfs/web}", "{path: /srv/r, image: {layout: /srv/i}}")
                .replace("  process: {args: [/bin/true]}\n", "");
        assertThat(errors(both)).containsExactly("5:3: spec.process: required field is missing",
                "5:11: spec.rootfs: must have exactly one of path, archive or image");
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
