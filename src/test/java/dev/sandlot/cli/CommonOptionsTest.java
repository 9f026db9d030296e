package dev.sandlot.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.sandlot.config.ConfigException;
import dev.sandlot.config.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Options over the config file over the defaults, parsed as the commands parse them (a picocli mixin). */
class CommonOptionsTest {
    @TempDir
    Path dir;

    @CommandLine.Command(name = "test")
    static final class Cmd {
        @CommandLine.Mixin
        CommonOptions options;
    }

    private static Settings resolve(String... args) throws ConfigException {
        Cmd cmd = new Cmd();
        new CommandLine(cmd).parseArgs(args);
        return cmd.options.resolve();
    }

    private Path config(String content) throws IOException {
        return Files.writeString(dir.resolve("config.yaml"), content);
    }

    @Test
    void withoutOptionsOrConfigFileEverythingIsTheDefault() throws ConfigException {
        assumeFalse(Files.exists(Settings.DEFAULT_CONFIG), "this host has " + Settings.DEFAULT_CONFIG);

        assertThat(resolve()).isEqualTo(Settings.defaults());
    }

    @Test
    void theLogFormatIsReadFromTheFileAndChecked() throws Exception {
        assertThat(Settings.defaults().logFormat()).isEqualTo("text");
        assertThat(resolve("--config", config("logFormat: json\n").toString()).logFormat()).isEqualTo("json");
        Path bad = config("logFormat: xml\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> resolve("--config", bad.toString()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("logFormat: xml is not a log format");
    }

    @Test
    void anEmptyConfigFileKeepsEveryDefault() throws Exception {
        assertThat(resolve("--config", config("# nothing\n").toString())).isEqualTo(Settings.defaults());
    }

    @Test
    void theFileOverridesTheDefaultsAndOptionsOverrideTheFile() throws Exception {
        Path file = config("""
                manifests: /file/manifests
                stateDir: /file/state
                runsc: /file/runsc
                runscFlags: ["--file-flag"]
                cniBinDirs: [/file/bin]
                mountAllowList: [/file/srv]
                parallelism: 3
                resyncInterval: 2m
                metricsAddress: 127.0.0.1:1234
                """);

        Settings s = resolve("--config", file.toString(), "--manifests", "/opt/manifests",
                "--runsc-flag=--network=host", "--runsc-flag", "--debug",
                "--cni-bin-dir", "/opt/a", "--cni-bin-dir", "/opt/b", "--run-dir", "/opt/run");

        Settings d = Settings.defaults();
        assertThat(s.manifestsDir()).as("option").isEqualTo(Path.of("/opt/manifests"));
        assertThat(s.runscFlags()).as("option, repeatable").containsExactly("--network=host", "--debug");
        assertThat(s.cniBinDirs()).as("option, repeatable, in order").containsExactly(Path.of("/opt/a"), Path.of("/opt/b"));
        assertThat(s.runDir()).as("option").isEqualTo(Path.of("/opt/run"));
        assertThat(s.stateDir()).as("file").isEqualTo(Path.of("/file/state"));
        assertThat(s.runsc()).as("file").isEqualTo("/file/runsc");
        assertThat(s.mountAllowList()).as("file").containsExactly(Path.of("/file/srv"));
        assertThat(s.parallelism()).as("file").isEqualTo(3);
        assertThat(s.resyncInterval()).as("file").isEqualTo(Duration.ofMinutes(2));
        assertThat(s.metricsAddress()).as("file").isEqualTo("127.0.0.1:1234");
        assertThat(s.cniConfDir()).as("default").isEqualTo(d.cniConfDir());
        assertThat(s.netnsDir()).as("default").isEqualTo(d.netnsDir());
        assertThat(s.runscRoot()).isEqualTo(Path.of("/opt/run/runsc"));
    }

    @Test
    void everyPathOptionIsTaken() throws Exception {
        Settings s = resolve("--config", config("").toString(), "--state-dir", "/o/state",
                "--cni-conf-dir", "/o/net.d", "--runsc", "/o/runsc", "--mount-allow", "/o/srv", "--mount-allow", "/o/data");

        assertThat(s.stateDir()).isEqualTo(Path.of("/o/state"));
        assertThat(s.cniConfDir()).isEqualTo(Path.of("/o/net.d"));
        assertThat(s.runsc()).isEqualTo("/o/runsc");
        assertThat(s.mountAllowList()).containsExactly(Path.of("/o/srv"), Path.of("/o/data"));
    }

    @Test
    void aConfigFileThatDoesNotExistIsAnError() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> resolve("--config", missing.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessage(missing + ": no such config file");
    }

    @Test
    void aBrokenConfigFileIsAnErrorNamingItsLine() throws IOException {
        Path file = config("manifests: /m\nmanifests: /again\n");

        assertThatThrownBy(() -> resolve("--config", file.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(file + ":2:");
    }

    @Test
    void aBadDurationInTheFileNamesTheKey() throws IOException {
        Path file = config("resyncInterval: soon\n");

        assertThatThrownBy(() -> resolve("--config", file.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("resyncInterval");
    }

    @Test
    void valuesThatCannotWorkAreRefusedNamingTheKey() throws IOException {
        List<String> accepted = new ArrayList<>();
        for (String line : List.of("parallelism: 0", "parallelism: -2", "cniBinDirs: []", "resyncInterval: 0s")) {
            Path file = config(line + "\n");
            try {
                resolve("--config", file.toString());
                accepted.add(line);
            } catch (ConfigException e) {
                assertThat(e.getMessage()).contains(line.substring(0, line.indexOf(':')));
            }
        }
        assertThat(accepted).isEmpty();
    }
}
