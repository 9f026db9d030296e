package dev.sandlot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        return Files.writeString(dir.resolve("config.yaml"), content);
    }

    @Test
    void everyKeyIsRead() throws Exception {
        ConfigFile.Content c = ConfigFile.read(file("""
                manifests: /srv/manifests
                stateDir: /srv/state
                runDir: /run/x
                cniConfDir: /srv/net.d
                cniBinDirs: [/a, /b]
                runsc: /usr/local/bin/runsc
                runscFlags: ["--network=host", "--debug"]
                mountAllowList: [/srv, /data]
                parallelism: 3
                resyncInterval: 5m
                metricsAddress: 127.0.0.1:9999
                """));

        assertThat(c.manifests()).isEqualTo("/srv/manifests");
        assertThat(c.stateDir()).isEqualTo("/srv/state");
        assertThat(c.runDir()).isEqualTo("/run/x");
        assertThat(c.cniConfDir()).isEqualTo("/srv/net.d");
        assertThat(c.cniBinDirs()).containsExactly("/a", "/b");
        assertThat(c.runsc()).isEqualTo("/usr/local/bin/runsc");
        assertThat(c.runscFlags()).containsExactly("--network=host", "--debug");
        assertThat(c.mountAllowList()).containsExactly("/srv", "/data");
        assertThat(c.parallelism()).isEqualTo(3);
        assertThat(c.resyncInterval()).isEqualTo("5m");
        assertThat(c.metricsAddress()).isEqualTo("127.0.0.1:9999");
    }

    @Test
    void anEmptyOrCommentOnlyFileSetsNothing() throws Exception {
        assertThat(ConfigFile.read(file(""))).isEqualTo(ConfigFile.empty());
        assertThat(ConfigFile.read(file("# nothing here\n\n# still nothing\n"))).isEqualTo(ConfigFile.empty());
    }

    @Test
    void anUnknownKeyIsAnErrorNamingFileAndKey() throws IOException {
        Path f = file("manifests: /srv/m\nstateDirr: /srv/state\n");

        assertThatThrownBy(() -> ConfigFile.read(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":")
                .hasMessageContaining("stateDirr");
    }

    @Test
    void anUnknownKeyIsAnErrorNamingFileAndLine() throws IOException {
        Path first = file("stateDirr: /srv/state\nmanifests: /srv/m\n");
        assertThatThrownBy(() -> ConfigFile.read(first)).hasMessageStartingWith(first + ":1:");

        Path f = file("manifests: /srv/m\nstateDirr: /srv/state\n");

        assertThatThrownBy(() -> ConfigFile.read(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":2:")
                .hasMessageContaining("stateDirr");
    }

    @Test
    void aDuplicateKeyIsAnErrorNamingFileAndLine() throws IOException {
        Path f = file("runsc: /a\nmanifests: /m\nrunsc: /b\n");

        assertThatThrownBy(() -> ConfigFile.read(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":3:")
                .hasMessageContaining("runsc");
    }

    @Test
    void aValueOfTheWrongTypeIsAnErrorNamingFileAndLine() throws IOException {
        Path f = file("manifests: /m\nparallelism: many\n");

        assertThatThrownBy(() -> ConfigFile.read(f))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f + ":2:");
    }

    @Test
    void aFileThatIsNotAMappingIsAnError() throws IOException {
        Path f = file("- manifests\n- runsc\n");

        assertThatThrownBy(() -> ConfigFile.read(f)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(f.toString());
    }

    @Test
    void anUnreadableFileIsAnErrorNamingIt() {
        Path missing = dir.resolve("missing.yaml");

        assertThatThrownBy(() -> ConfigFile.read(missing)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(missing + ": cannot read");
    }

    @Test
    void aHugeFileIsRefusedUnread() throws IOException {
        Path f = file("# " + "x".repeat(1 << 20) + "\n");

        assertThatThrownBy(() -> ConfigFile.read(f)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("larger than 1 MiB");
    }

    @Test
    void durationsAreSecondsMinutesHoursMillisecondsOrBareSeconds() throws Exception {
        assertThat(ConfigFile.parseDuration("30s", "k")).isEqualTo(Duration.ofSeconds(30));
        assertThat(ConfigFile.parseDuration("5m", "k")).isEqualTo(Duration.ofMinutes(5));
        assertThat(ConfigFile.parseDuration("2h", "k")).isEqualTo(Duration.ofHours(2));
        assertThat(ConfigFile.parseDuration("500ms", "k")).isEqualTo(Duration.ofMillis(500));
        assertThat(ConfigFile.parseDuration("45", "k")).isEqualTo(Duration.ofSeconds(45));
        assertThat(ConfigFile.parseDuration(" 10s ", "k")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void anythingElseIsNotADurationAndTheErrorNamesTheKey() {
        for (String bad : List.of("", "s", "1.5s", "-5s", "10 s", "10d", "ten", "5M", "1h30m",
                "99999999999999999999s")) {
            assertThatThrownBy(() -> ConfigFile.parseDuration(bad, "resyncInterval")).as("'%s'", bad)
                    .isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("resyncInterval: not a duration");
        }
    }

    @Test
    void aDurationTooLargeForJavaIsAConfigErrorNotACrash() {
        assertThatThrownBy(() -> ConfigFile.parseDuration("9999999999999999h", "resyncInterval"))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> ConfigFile.parseDuration("9999999999999999m", "resyncInterval"))
                .isInstanceOf(ConfigException.class);
    }
}
