package dev.sandlot.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The value rules added with the lifecycle, networking and placement fields, and the helpers on their records. */
class RulesTest {

    @ParameterizedTest
    @CsvSource({
        "10.0.0.1, 10.0.0.1", "0.0.0.0, 0.0.0.0", "255.255.255.255, 255.255.255.255",
        "::, ::", "::1, ::1", "1::, 1::", "FD00:0:0:0:0:0:0:53, fd00::53", "fd00::0053, fd00::53",
        "1:0:0:1:0:0:0:1, 1:0:0:1::1", "1:0:0:0:1:0:0:1, 1::1:0:0:1", "0:0:0:0:0:0:0:0, ::",
        "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8", "1:0:2:3:4:5:6:7, 1:0:2:3:4:5:6:7", "2001:DB8::A:0:0:1, 2001:db8::a:0:0:1",
    })
    void ipLiteralsAreReadAndWrittenCanonically(String text, String canonical) {
        assertThat(Rules.ipLiteral(text)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.256", "1.2.3.-1", " 1.2.3.4", "1.2.3.4 ",
        "localhost", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1::2::3", ":::", ":1", "1:", "1::2:", "12345::", "g::1",
        "::ffff:1.2.3.4", "fe80::1%eth0", "[::1]", "１.2.3.4", "0x7f.0.0.1", "2130706433"})
    void whatIsNotAnIpLiteralIsRefused(String text) {
        assertThat(Rules.ipLiteral(text)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/healthz", "/a/b?x=1&y=%20", "/~user/", "/v1/status:check", "/a@b;c=d"})
    void httpPathsAreAbsoluteUrlPaths(String path) {
        assertThat(Rules.httpPath(path)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "healthz", "/a b", "/a\tb", "/%zz", "/%2", "/a#frag", "/é", "/a\"b", "/a<b>",
        "http://x/"})
    void otherHttpPathsAreRefused(String path) {
        assertThat(Rules.httpPath(path)).startsWith("must be an absolute URL path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "3.12-slim", "v1.0.0", "example.com/app:v1", "a--b", "sha256@x", "1.0+build.5"})
    void imageRefsFollowTheOciGrammar(String ref) {
        assertThat(Rules.imageRef(ref)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-x", "x-", "a b", "a//b", "/a", "a/", "a---b", "a..b/", "é"})
    void otherImageRefsAreRefused(String ref) {
        assertThat(Rules.imageRef(ref)).startsWith("must be an image reference name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 */5 * * * ?", "0 0 12 ? * MON-FRI", "0 0 0 1 1 ? 2099", "0/10 * * ? * *",
        "0 15 10 L * ?", "0 0 3 ? * 6#3"})
    void quartzCronExpressionsAreAccepted(String expression) {
        assertThat(Rules.schedule(expression)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "*/5 * * * *", "@daily", "0 0 * * * *", "61 * * * * ?", "0 0 25 * * ?",
        "0 0 *\n * * ?", "0 0 0 1 1 ? 2099 x", "a b c d e f", "0 0 ０ * * ?"})
    void otherSchedulesAreRefused(String expression) {
        assertThat(Rules.schedule(expression)).startsWith("must be a Quartz cron expression");
    }

    @Test
    void aScheduleIsBoundedBeforeQuartzSeesIt() {
        assertThat(Rules.schedule("0 ".repeat(200))).isEqualTo("must be at most 256 characters");
    }

    @ParameterizedTest
    @CsvSource({
        "web-*, web-1, true", "web-*, WEB-1.example, true", "web-?, web-12, false", "*, anything, true",
        "*.eu.example.com, h1.eu.example.com, true", "*.eu.example.com, eu.example.com, false",
        "h?.*, h1.x, true", "h1, h1, true", "h1, h10, false", "**a, bba, true", "a*b*c, abxbyc, true", "a*b*c, acb, false",
    })
    void hostPatternsAreCaseInsensitiveGlobs(String pattern, String host, boolean matches) {
        assertThat(Placement.glob(pattern, host)).isEqualTo(matches);
    }

    @Test
    void aPlacementNeedsAMatchingHostNameAndEveryLabel() {
        Placement p = new Placement(java.util.List.of("web-*", "edge"), Map.of("zone", "eu", "ssd", "true"));
        assertThat(p.matches("web-3", Map.of("zone", "eu", "ssd", "true", "extra", "x"))).isTrue();
        assertThat(p.matches("edge", Map.of("zone", "eu", "ssd", "true"))).isTrue();
        assertThat(p.matches("db-1", Map.of("zone", "eu", "ssd", "true"))).isFalse();
        assertThat(p.matches("web-3", Map.of("zone", "eu"))).isFalse();
        assertThat(p.matches("web-3", Map.of("zone", "us", "ssd", "true"))).isFalse();
        assertThat(new Placement(java.util.List.of(), Map.of("zone", "eu")).matches("any", Map.of("zone", "eu"))).isTrue();
        assertThat(new Placement(java.util.List.of("a*"), Map.of()).matches("abc", Map.of())).isTrue();
    }

    @Test
    void stopSignalsHaveTheirLinuxNumbers() {
        assertThat(Signals.number("HUP")).isEqualTo(1);
        assertThat(Signals.number("INT")).isEqualTo(2);
        assertThat(Signals.number("QUIT")).isEqualTo(3);
        assertThat(Signals.number("KILL")).isEqualTo(9);
        assertThat(Signals.number("USR1")).isEqualTo(10);
        assertThat(Signals.number("USR2")).isEqualTo(12);
        assertThat(Signals.number("TERM")).isEqualTo(15);
        assertThat(Signals.number("WINCH")).isEqualTo(28);
        assertThat(Signals.number("SYS")).isEqualTo(31);
        assertThat(Signals.STOP_SIGNALS).hasSize(30).doesNotContainKey("STOP");
        assertThatThrownBy(() -> Signals.number("SIGTERM")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordsKeepTheirInvariants() {
        assertThatThrownBy(() -> new Rootfs(null, null, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rootfs("/srv/r", "/srv/r.tar")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HealthCheck(null, null, null, 1000, 1000, 3, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HealthCheck(new HttpCheck(80, "/", 200), new TcpCheck(80), null, 1000, 1000, 3, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new Image("/srv/i", null).ref()).isEqualTo("latest");
        assertThat(new Dns(null, null, null).nameservers()).isEmpty();
        HealthCheck check = new HealthCheck(null, new TcpCheck(80), null, 5000, 1000, 3, 2000);
        assertThat(check.interval()).hasSeconds(5);
        assertThat(check.timeout()).hasSeconds(1);
        assertThat(check.startPeriod()).hasSeconds(2);
    }
}
