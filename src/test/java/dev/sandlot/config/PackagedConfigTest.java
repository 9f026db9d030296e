package dev.sandlot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default {@code /etc/sandlot/config.yaml} shipped in the .deb ({@code packaging/config.yaml}):
 * it sets nothing, documents every key, and the value it shows for each key is the real default.
 */
class PackagedConfigTest {
    static final Path PACKAGED = Path.of("packaging/config.yaml");
    /** A commented-out key with its default: {@code #key: value} at the start of a line. */
    static final Pattern KEY_LINE = Pattern.compile("(?m)^#([A-Za-z]+): (.*)$");

    @TempDir
    Path dir;

    @Test
    void asShippedItSetsNothing() throws ConfigException {
        assertThat(ConfigFile.read(PACKAGED)).isEqualTo(ConfigFile.empty());
    }

    @Test
    void documentsEveryKeyOnce() throws IOException {
        List<String> documented = keys(Files.readString(PACKAGED));
        List<String> known = Stream.of(ConfigFile.Content.class.getRecordComponents())
                .map(RecordComponent::getName).toList();
        assertThat(documented).as("each key of ConfigFile.Content, once, as '#key: default'")
                .containsExactlyInAnyOrderElementsOf(known);
    }

    @Test
    void theValuesItShowsAreTheDefaults() throws IOException, ConfigException {
        Path uncommented = dir.resolve("config.yaml");
        Files.writeString(uncommented, KEY_LINE.matcher(Files.readString(PACKAGED)).replaceAll("$1: $2"));
        ConfigFile.Content c = ConfigFile.read(uncommented);
        Settings d = Settings.defaults();

        assertThat(Path.of(c.manifests())).isEqualTo(d.manifestsDir());
        assertThat(Path.of(c.stateDir())).isEqualTo(d.stateDir());
        assertThat(Path.of(c.runDir())).isEqualTo(d.runDir());
        assertThat(Path.of(c.cniConfDir())).isEqualTo(d.cniConfDir());
        assertThat(c.cniBinDirs().stream().map(Path::of).toList()).isEqualTo(d.cniBinDirs());
        assertThat(c.runsc()).isEqualTo(d.runsc());
        assertThat(c.runscFlags()).isEqualTo(d.runscFlags());
        assertThat(c.mountAllowList().stream().map(Path::of).toList()).isEqualTo(d.mountAllowList());
        // Depends on the machine's cores: the file says how it is computed; the example must be valid.
        assertThat(c.parallelism()).isPositive();
        assertThat(ConfigFile.parseDuration(c.resyncInterval(), "resyncInterval")).isEqualTo(d.resyncInterval());
        assertThat(c.metricsAddress()).isEqualTo(d.metricsAddress());
        assertThat(c.logFormat()).isEqualTo(d.logFormat());
        assertThat(ConfigFile.parseDuration(c.crashLoopBackoff().initial(), "initial")).isEqualTo(d.crashLoopInitial());
        assertThat(ConfigFile.parseDuration(c.crashLoopBackoff().max(), "max")).isEqualTo(d.crashLoopMax());
        assertThat(ConfigFile.parseDuration(c.crashLoopBackoff().resetAfter(), "resetAfter"))
                .isEqualTo(d.crashLoopReset());
    }

    @Test
    void everyCommentedKeyIsValidOnItsOwn() throws IOException {
        // Uncommenting one key at a time (as an admin does) must give a valid file.
        String text = Files.readString(PACKAGED);
        Matcher m = KEY_LINE.matcher(text);
        List<String> failures = new java.util.ArrayList<>();
        while (m.find()) {
            Path one = dir.resolve(m.group(1) + ".yaml");
            Files.writeString(one, m.group(1) + ": " + m.group(2) + "\n");
            try {
                ConfigFile.read(one);
            } catch (ConfigException e) {
                failures.add(e.getMessage());
            }
        }
        assertThat(failures).isEmpty();
    }

    private static List<String> keys(String text) {
        return KEY_LINE.matcher(text).results().map(r -> r.group(1)).collect(Collectors.toList());
    }
}
