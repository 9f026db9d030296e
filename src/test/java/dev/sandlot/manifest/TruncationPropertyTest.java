package dev.sandlot.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY.md §A.7: a manifest cut at any byte parses to the original or is rejected, never to
 * a different valid spec.
 *
 * <p>That holds for a single flow-style document (JSON-like, {@code {...}}): every proper prefix
 * lacks the closing brace, and an empty or comment-only prefix is an error ("no manifest"). It
 * cannot hold for block style or for several documents: YAML has no end marker there, so a file
 * cut after a complete line or document can be a shorter valid file. Defending against
 * half-written files of that kind is the folder source's job (last known good, stable content;
 * DESIGN.md §1, RELIABILITY.md §B.10); {@link #blockStyleCutsCanReadAsADifferentValidSpec} pins
 * that limit down so it is not forgotten.
 */
class TruncationPropertyTest {

    record Variation(String text, List<Manifest> manifests) {
    }

    @Provide
    Arbitrary<Variation> flowManifests() {
        Arbitrary<String> name = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789")
                .ofMinLength(1).ofMaxLength(20);
        Arbitrary<List<String>> args = Arbitraries.strings().withChars("abcxyz/-._ =:0123456789").ofMinLength(1)
                .ofMaxLength(12).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<Optional<String>> cwd = Arbitraries.of("/", "/var/www", "/srv/app", "/a/b/c").optional();
        Arbitrary<List<String>> networks = Arbitraries.of("net1", "sandlot-demo", "b_2", "x.y").list().uniqueElements()
                .ofMaxSize(3);
        Arbitrary<Optional<String>> memory = Arbitraries.of("256Mi", "1Gi", "1000000", "\"512M\"", "1.5Gi").optional();
        Arbitrary<Optional<String>> cpus = Arbitraries.of("0.5", "2", "\"1.25\"", "1024", "0.001").optional();
        Arbitrary<Optional<String>> policy = Arbitraries.of("Always", "OnFailure", "Never").optional();
        Arbitrary<String> extra = Arbitraries.of("", ", mounts: [{source: /srv/data, destination: /data, readOnly: false}]",
                ", healthCheck: {http: {port: 8000, path: /healthz}, interval: 5s, failureThreshold: 2}",
                ", healthCheck: {exec: {command: [/bin/check]}}", ", dependsOn: [db, cache]", ", suspend: true",
                ", stopSignal: SIGINT, terminationGracePeriod: 1m30s", ", dns: {nameservers: [\"fd00::53\"], options: [edns0]}",
                ", placement: {hosts: [web-*, edge], hostLabels: {zone: eu}}");
        Arbitrary<String> lead = Arbitraries.of("", "# comment\n", "---\n", "\n");
        Arbitrary<String> trail = Arbitraries.of("", "\n", "\n# end\n", "\n...\n");
        return Combinators.combine(name, args, cwd, networks, memory, cpus, policy, extra)
                .as((n, a, c, net, mem, cpu, pol, ext) -> {
                    StringBuilder spec = new StringBuilder("{rootfs: {path: /srv/rootfs/" + n + "}, process: {args: [");
                    for (int i = 0; i < a.size(); i++) {
                        spec.append(i == 0 ? "" : ", ").append('"').append(a.get(i)).append('"');
                    }
                    spec.append("]").append(c.map(v -> ", cwd: " + v).orElse("")).append("}");
                    spec.append(", networks: ").append(net);
                    spec.append(ext);
                    if (mem.isPresent() || cpu.isPresent()) {
                        spec.append(", resources: {").append(mem.map(v -> "memory: " + v).orElse(""))
                                .append(mem.isPresent() && cpu.isPresent() ? ", " : "")
                                .append(cpu.map(v -> "cpus: " + v).orElse("")).append("}");
                    }
                    spec.append(pol.map(v -> ", restartPolicy: " + v).orElse("")).append("}");
                    return "{apiVersion: sandlot.dev/v1, kind: Sandbox,\n metadata: {name: " + n
                            + ", labels: {app: " + n + "}},\n spec: " + spec + "}";
                })
                .flatMap(doc -> Combinators.combine(lead, trail).as((l, t) -> l + doc + t))
                .map(text -> {
                    ParseResult whole = parse(text.getBytes(StandardCharsets.UTF_8));
                    assertThat(whole.errors()).as(text).isEmpty();
                    return new Variation(text, whole.manifests());
                });
    }

    @Property(tries = 300)
    void aCutFlowManifestIsTheOriginalOrRejected(@ForAll("flowManifests") Variation v,
            @ForAll @IntRange(min = 0, max = 100_000) int at) {
        byte[] bytes = v.text().getBytes(StandardCharsets.UTF_8);
        int cut = at % (bytes.length + 1);
        ParseResult result = parse(Arrays.copyOf(bytes, cut));
        if (result.valid()) {
            assertThat(result.manifests()).isEqualTo(v.manifests());
        } else {
            assertThat(result.manifests()).allSatisfy(m -> assertThat(v.manifests()).contains(m));
        }
    }

    @Property(tries = 200)
    void everyCutOfABlockManifestIsReadWithoutFailureAndErrorsPointIntoIt(
            @ForAll @IntRange(min = 0, max = 100_000) int at) {
        byte[] bytes = (Manifests.FULL + "---\n" + Manifests.MINIMAL.replace("web", "db") + "---\n"
                + Manifests.LATER.replace("name: web", "name: later")).getBytes(StandardCharsets.UTF_8);
        int cut = at % (bytes.length + 1);
        String prefix = new String(bytes, 0, cut, StandardCharsets.UTF_8);
        ParseResult result = parse(Arrays.copyOf(bytes, cut));
        long lines = prefix.chars().filter(c -> c == '\n').count() + 1;
        assertThat(result.errors()).allSatisfy(e -> assertThat(e.location().line()).isBetween(1, (int) lines));
    }

    @Test
    void blockStyleCutsCanReadAsADifferentValidSpec() {
        String atLine = Manifests.FULL.substring(0, Manifests.FULL.indexOf("  mounts:"));
        ParseResult shorter = parse(atLine.getBytes(StandardCharsets.UTF_8));
        assertThat(shorter.valid()).isTrue();
        assertThat(shorter.manifests().get(0).spec().mounts()).isEmpty();

        String midLine = Manifests.MINIMAL + "  hostname: web-frontend\n";
        ParseResult cut = parse(midLine.substring(0, midLine.indexOf("-frontend") + 2).getBytes(StandardCharsets.UTF_8));
        assertThat(cut.valid()).isTrue();
        assertThat(cut.manifests().get(0).spec().hostname()).isEqualTo("web-f");
    }

    private static ParseResult parse(byte[] bytes) {
        return ManifestParser.parse("t.yaml", bytes);
    }
}
