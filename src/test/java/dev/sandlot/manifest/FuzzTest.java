package dev.sandlot.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * RELIABILITY.md §A.9: whatever the bytes, parse → validate returns errors or manifests; nothing
 * escapes (no StackOverflowError, ClassCastException, NumberFormatException, not even
 * ManifestException, which would mean a bug), and every error is located and printable.
 */
class FuzzTest {
    private static final List<String> TOKENS = List.of(
            "[", "]", "{", "}", ":", ": ", "-", "- ", "---", "...", "\n", "  ", "    ", "\t", ",", "?", "? ", "|", ">",
            "|-", ">+2", "'", "\"", "#", "&a ", "*a", "&b", "*b", "!!str ", "!foo ", "!<tag:x> ", "!!java.net.URL ",
            "<<", "<<: ", "%YAML 1.1\n", "%TAG ! !x\n", "\\", "\\0", "\\u", "\\x41", "~", "null", "true", "no", "on",
            "0644", "1_000", "0x10", ".nan", "-.inf", "1e999999", "9".repeat(40), "2001-12-14", "\u00e9", "\ud83d\ude00",
            "\u202e", "\u0000", "\u0085", "\u2028", "\ufeff", "apiVersion", "sandlot.dev/v1", "kind", "Sandbox",
            "metadata", "name", "web", "labels", "spec", "rootfs", "path", "archive", "/srv/x", "/proc/self/fd/7",
            "process", "args", "cwd", "env", "user", "uid", "gid", "hostname", "networks", "mounts", "source",
            "destination", "readOnly", "resources", "memory", "256Mi", "cpus", "0.5", "pids", "restartPolicy", "Always",
            "..", "/", "a b", "=", "@", "`", "%", "healthCheck", "http", "tcp", "exec", "port", "path", "expectStatus",
            "command", "interval", "timeout", "failureThreshold", "startPeriod", "10s", "500ms", "1h30m", "dependsOn",
            "suspend", "stopSignal", "SIGTERM", "terminationGracePeriod", "schedule", "0 0 * * * ?", "Never", "ports",
            "containerPort", "hostPort", "protocol", "udp", "hostIP", "::1", "10.0.0.1", "dns", "nameservers",
            "searches", "options", "ndots:2", "placement", "hosts", "web-*", "hostLabels", "envFrom", "image", "layout",
            "ref", "latest");

    @Provide
    Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(3000);
    }

    @Provide
    Arbitrary<byte[]> tokenSoup() {
        return Arbitraries.of(TOKENS).list().ofMaxSize(300).map(t -> String.join("", t).getBytes(StandardCharsets.UTF_8));
    }

    @Provide
    Arbitrary<byte[]> mutatedManifests() {
        Arbitrary<String> base = Arbitraries.of(Manifests.FULL, Manifests.MINIMAL,
                Manifests.FULL + "---\n" + Manifests.MINIMAL.replace("web", "db"), Manifests.LATER);
        Arbitrary<List<int[]>> edits = Combinators.combine(
                        Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 10_000),
                        Arbitraries.integers().between(0, 10_000), Arbitraries.integers().between(0, TOKENS.size() - 1))
                .as((kind, a, b, token) -> new int[] {kind, a, b, token})
                .list().ofMinSize(1).ofMaxSize(6);
        return Combinators.combine(base, edits).as(FuzzTest::mutate);
    }

    private static byte[] mutate(String base, List<int[]> edits) {
        StringBuilder text = new StringBuilder(base);
        for (int[] e : edits) {
            int n = text.length();
            int i = n == 0 ? 0 : e[1] % n;
            int j = n == 0 ? 0 : e[2] % n;
            switch (e[0]) {
                case 0 -> text.delete(Math.min(i, j), Math.max(i, j));
                case 1 -> text.insert(i, TOKENS.get(e[3]));
                case 2 -> {
                    if (n > 0) {
                        text.setCharAt(i, (char) (e[2] % 128));
                    }
                }
                case 3 -> text.insert(i, text.substring(Math.min(i, j), Math.max(i, j)));
                case 4 -> {
                    List<String> lines = new ArrayList<>(text.toString().lines().toList());
                    if (lines.size() > 1) {
                        int a = e[1] % lines.size();
                        int b = e[2] % lines.size();
                        String t = lines.get(a);
                        lines.set(a, lines.get(b));
                        lines.set(b, t);
                        text = new StringBuilder(String.join("\n", lines));
                    }
                }
                default -> text.setLength(i);
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Property(tries = 1000)
    void randomBytesNeverEscape(@ForAll("randomBytes") byte[] bytes) {
        check(bytes);
    }

    @Property(tries = 1000)
    void yamlTokenSoupNeverEscapes(@ForAll("tokenSoup") byte[] bytes) {
        check(bytes);
    }

    @Property(tries = 1500)
    void mutatedManifestsNeverEscape(@ForAll("mutatedManifests") byte[] bytes) {
        check(bytes);
    }

    /** Every value slot of the later fields, filled with values of every shape (a refused alias included). */
    private static final List<String> SLOTS = List.of(
            "  healthCheck: X", "  healthCheck: {http: X}", "  healthCheck: {http: {port: X}}",
            "  healthCheck: {http: {port: 80, path: X}}", "  healthCheck: {http: {port: 80, expectStatus: X}}",
            "  healthCheck: {tcp: X}", "  healthCheck: {tcp: {port: X}}", "  healthCheck: {exec: X}",
            "  healthCheck: {exec: {command: X}}", "  healthCheck: {exec: {command: [X]}}",
            "  healthCheck: {tcp: {port: 80}, interval: X}", "  healthCheck: {tcp: {port: 80}, timeout: X}",
            "  healthCheck: {tcp: {port: 80}, failureThreshold: X}", "  healthCheck: {tcp: {port: 80}, startPeriod: X}",
            "  healthCheck: {tcp: X, http: X, exec: X, interval: X}", "  dependsOn: X", "  dependsOn: [X, X]",
            "  suspend: X", "  stopSignal: X", "  terminationGracePeriod: X", "  schedule: X", "  ports: X",
            "  ports: [X]", "  ports: [{containerPort: X}]", "  ports: [{containerPort: 80, hostPort: X}]",
            "  ports: [{containerPort: 80, protocol: X}]", "  ports: [{containerPort: 80, hostIP: X}]",
            "  ports: [{containerPort: X, hostIP: X}, {containerPort: X, hostPort: X, hostIP: X}]", "  dns: X",
            "  dns: {nameservers: X}", "  dns: {nameservers: [X, X]}", "  dns: {searches: [X]}", "  dns: {options: [X]}",
            "  placement: X", "  placement: {hosts: X}", "  placement: {hosts: [X]}", "  placement: {hostLabels: X}",
            "  placement: {hostLabels: {a: X}}", "  rootfs: {image: X}", "  rootfs: {image: {layout: X}}",
            "  rootfs: {image: {layout: /srv/i, ref: X}}", "  rootfs: {image: {layout: /srv/i}}\n  process: X",
            "  rootfs: {image: {layout: /srv/i}}\n  process: {args: X, cwd: X, user: X}",
            "  process: {args: [/bin/x], envFrom: X}", "  process: {args: [/bin/x], envFrom: [X]}");
    private static final List<String> VALUES = List.of("~", "", "[]", "{}", "[~]", "{a: b}", "0", "-1", "65536", "80",
            "1e3", "0x50", "0644", "1_000", ".inf", "yes", "on", "true", "\"x\"", "'10s'", "10s", "500ms", "1h1ms",
            "2001-12-14", "*a", "!!str x", "&a 1", "\"0 0 * * * ?\"", "\"* * * * *\"", "::1", "10.0.0.1", "/srv/x",
            "/proc/1", "web", "SIGTERM", "STOP", "[a, a]", "\"\\0\"", "9".repeat(40), "\"\\u202e\"");

    @Provide
    Arbitrary<byte[]> laterFieldSlots() {
        return Combinators.combine(Arbitraries.of(SLOTS), Arbitraries.of(VALUES).list().ofSize(5),
                        Arbitraries.of("Always", "Never", "OnFailure"), Arbitraries.of("[]", "[net1]"))
                .as((slot, values, policy, networks) -> {
                    String line = slot;
                    for (String v : values) {
                        line = line.replaceFirst("X", java.util.regex.Matcher.quoteReplacement(v));
                    }
                    String yaml = Manifests.MINIMAL.replace("  rootfs: {path: /srv/rootfs/web}\n",
                            slot.startsWith("  rootfs") ? "" : "  rootfs: {path: /srv/rootfs/web}\n")
                            + "  restartPolicy: " + policy + "\n  networks: " + networks + "\n" + line + "\n";
                    if (slot.contains("process")) {
                        yaml = yaml.replace("  process: {args: [/bin/true]}\n", "");
                    }
                    return yaml.getBytes(StandardCharsets.UTF_8);
                });
    }

    @Property(tries = 3000)
    void anyValueInAnySlotOfTheLaterFieldsNeverEscapes(@ForAll("laterFieldSlots") byte[] bytes) {
        check(bytes);
    }

    private static void check(byte[] bytes) {
        ParseResult result = ManifestParser.parse("fuzz.yaml", bytes);
        assertThat(result.valid() || !result.errors().isEmpty()).isTrue();
        if (result.manifests().isEmpty()) {
            assertThat(result.errors()).isNotEmpty();
        }
        for (ManifestError e : result.errors()) {
            assertThat(e.location().line()).isPositive();
            assertThat(e.location().column()).isPositive();
            String printed = e.toString();
            assertThat(printed).startsWith("fuzz.yaml:");
            assertThat(printed.chars().noneMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f))).as(printed).isTrue();
        }
        for (Manifest m : result.manifests()) {
            assertThat(m.specHash()).hasSize(32);
        }
    }
}
