package dev.sandlot.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class SandboxIdTest {

    @Test
    void aNewIdIsSandlotDashNameDotEightHexDigits() {
        SandboxId id = SandboxId.newFor("web", new SplittableRandom(1));

        assertThat(id.value()).matches("sandlot-web\\.[0-9a-f]{8}");
        assertThat(id.name()).isEqualTo("web");
        assertThat(id).hasToString(id.value());
    }

    @Test
    void eachIncarnationGetsANewToken() {
        SplittableRandom random = new SplittableRandom(7);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(SandboxId.newFor("web", random).value());
        }
        assertThat(ids).doesNotHaveDuplicates();
    }

    @Test
    void theNameComesBackForNamesWithDigitsAndDashesUpToThirtyTwoCharacters() {
        String longest = "a" + "-".repeat(30) + "9";
        assertThat(new SandboxId("sandlot-web2.0123abcd").name()).isEqualTo("web2");
        assertThat(new SandboxId("sandlot-a.0123abcd").name()).isEqualTo("a");
        assertThat(new SandboxId("sandlot-" + longest + ".0123abcd").name()).isEqualTo(longest);
    }

    @Test
    void theCgroupLivesUnderSandlotOutsideTheDaemon() {
        assertThat(new SandboxId("sandlot-web.0123abcd").cgroupsPath()).isEqualTo("/sandlot/sandlot-web.0123abcd");
    }

    @Test
    void parseAcceptsExactlyTheShapeOfAnId() {
        assertThat(SandboxId.parse("sandlot-web.0123abcd")).map(SandboxId::value).contains("sandlot-web.0123abcd");
        for (String junk : List.of("", "sandlot-web", "sandlot-web.", "sandlot-web.0123abc", "sandlot-web.0123abcde",
                "sandlot-web.0123ABCD", "sandlot-Web.0123abcd", "sandlot--web.0123abcd", "sandlot-web-.0123abcd",
                "xsandlot-web.0123abcd", "sandlot-web.0123abcd\n", " sandlot-web.0123abcd", "sandlot-we.b.0123abcd",
                "sandlot-../x.0123abcd", "sandlot-" + "a".repeat(33) + ".0123abcd", "sltest-host.0123abcd")) {
            assertThat(SandboxId.parse(junk)).as("'%s'", junk).isEmpty();
        }
    }

    @Test
    void theConstructorRefusesJunkWithoutEchoingIt() {
        assertThatThrownBy(() -> new SandboxId("sandlot-web\n\u001b[31mevil"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("evil")
                .hasMessageNotContaining("\u001b");
    }

    @Test
    void aNameThatIsNotASandboxNameGetsNoId() {
        assertThatThrownBy(() -> SandboxId.newFor("Web", new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SandboxId.newFor("web.x", new SplittableRandom(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idsSortByTheirText() {
        assertThat(List.of(new SandboxId("sandlot-web2.00000000"), new SandboxId("sandlot-web.ffffffff"))
                .stream().sorted().map(SandboxId::value))
                .containsExactly("sandlot-web.ffffffff", "sandlot-web2.00000000");
    }

    @Property
    void noIdIsAPrefixOfAnother(@ForAll("names") String a, @ForAll("names") String b, @ForAll long seedA,
            @ForAll long seedB) {
        SandboxId x = SandboxId.newFor(a, new SplittableRandom(seedA));
        SandboxId y = SandboxId.newFor(b, new SplittableRandom(seedB));
        if (!x.equals(y)) {
            assertThat(x.value()).doesNotStartWith(y.value());
            assertThat(y.value()).doesNotStartWith(x.value());
        }
    }

    @Property
    void aNewIdAlwaysParsesBackToItselfAndItsName(@ForAll("names") String name, @ForAll long seed) {
        SandboxId id = SandboxId.newFor(name, new SplittableRandom(seed));

        assertThat(SandboxId.parse(id.value())).contains(id);
        assertThat(id.name()).isEqualTo(name);
    }

    @Property(tries = 500)
    void parseNeverThrowsOnJunk(@ForAll String junk) {
        assertThat(SandboxId.parse(junk)).isNotNull();
        assertThat(SandboxId.parse("sandlot-" + junk)).isNotNull();
        assertThat(SandboxId.parse("sandlot-web." + junk)).isNotNull();
    }

    /** Sandbox names, weighted towards those that share prefixes ("web", "web2", "web-2"). */
    @Provide
    Arbitrary<String> names() {
        Arbitrary<String> any = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789-")
                .ofMinLength(1).ofMaxLength(32)
                .filter(s -> s.matches("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?"));
        Arbitrary<String> similar = Arbitraries.of("w", "web", "web2", "web-2", "web-", "we").filter(s -> !s.endsWith("-"));
        return Arbitraries.oneOf(any, similar);
    }
}
