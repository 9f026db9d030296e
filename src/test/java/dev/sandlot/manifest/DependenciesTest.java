package dev.sandlot.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code dependsOn} across files: missing names and cycles, each blamed on the dependsOn item. */
class DependenciesTest {
    private static String yaml(String name, String... dependsOn) {
        return """
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata: {name: %s}
                spec:
                  rootfs: {path: /srv/rootfs}
                  process: {args: [/bin/httpd, -f]}
                %s""".formatted(name, dependsOn.length == 0 ? "" : "  dependsOn:\n" + String.join("",
                List.of(dependsOn).stream().map(d -> "    - " + d + "\n").toList()));
    }

    /** Parses each {@code file=yaml} pair as the folder source would. */
    private static List<Manifest> parsed(String... fileAndYaml) {
        List<Manifest> all = new ArrayList<>();
        for (int i = 0; i < fileAndYaml.length; i += 2) {
            ParseResult r = ManifestParser.parse(fileAndYaml[i], fileAndYaml[i + 1].getBytes(StandardCharsets.UTF_8));
            assertThat(r.errors()).isEmpty();
            all.addAll(r.manifests());
        }
        return all;
    }

    @Test
    void dependenciesThatAreAllDeclaredAndAcyclicAreFine() {
        List<Manifest> m = parsed("web.yaml", yaml("web", "db", "cache"), "db.yaml", yaml("db", "cache"),
                "cache.yaml", yaml("cache"));

        assertThat(Dependencies.check(m, Set.of())).isEmpty();
    }

    @Test
    void aMissingDependencyIsAnErrorAtItsItem() {
        List<Manifest> m = parsed("web.yaml", yaml("web", "cache", "db"), "cache.yaml", yaml("cache"));

        assertThat(Dependencies.check(m, Set.of())).extracting(ManifestError::toString).containsExactly(
                "web.yaml:9:7: spec.dependsOn[1]: no sandbox named db is declared (a missing dependency)");
    }

    @Test
    void aNameKnownElsewhereIsNotMissing() {
        List<Manifest> m = parsed("web.yaml", yaml("web", "db"));

        assertThat(Dependencies.check(m, Set.of("db"))).isEmpty();
        assertThat(Dependencies.check(m, name -> true)).isEmpty();
    }

    @Test
    void everyMemberOfACycleGetsAnErrorAtTheItemNamingTheNext() {
        List<Manifest> m = parsed("a.yaml", yaml("a", "b"), "b.yaml", yaml("b", "x", "c"), "c.yaml", yaml("c", "a"),
                "x.yaml", yaml("x"), "front.yaml", yaml("front", "a"));

        assertThat(Dependencies.check(m, Set.of())).extracting(ManifestError::toString).containsExactly(
                "a.yaml:8:7: spec.dependsOn[0]: dependency cycle a -> b -> c -> a",
                "b.yaml:9:7: spec.dependsOn[1]: dependency cycle a -> b -> c -> a",
                "c.yaml:8:7: spec.dependsOn[0]: dependency cycle a -> b -> c -> a");
    }

    @Test
    void aCycleIsFoundEvenWhenTheWalkStartsOutsideIt() {
        List<Manifest> m = parsed("front.yaml", yaml("front", "a"), "a.yaml", yaml("a", "b"), "b.yaml", yaml("b", "a"));

        assertThat(Dependencies.check(m, name -> true)).extracting(e -> e.location().file() + " " + e.message())
                .containsExactly("a.yaml dependency cycle a -> b -> a", "b.yaml dependency cycle a -> b -> a");
    }

    @Test
    void withoutItemPositionsTheErrorIsAtTheDocument() {
        Manifest parsedWeb = parsed("web.yaml", yaml("web", "db")).get(0);
        Manifest rebuilt = new Manifest("web", java.util.Map.of(), parsedWeb.spec(), new Location("web.yaml", 1, 1));

        assertThat(Dependencies.check(List.of(rebuilt), Set.of())).extracting(ManifestError::toString).containsExactly(
                "web.yaml:1:1: spec.dependsOn[0]: no sandbox named db is declared (a missing dependency)");
    }
}
