package dev.sandlot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitSettingsTest {
    @TempDir
    Path dir;

    private ConfigFile.Content read(String yaml) throws Exception {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, yaml);
        return ConfigFile.read(f);
    }

    @Test
    void theGitSectionWithEveryKey() throws Exception {
        GitSettings git = ConfigFile.git(read("""
                git:
                  url: https://git.example.com/ops/sandboxes.git
                  ref: production
                  path: ./hosts/
                  interval: 5m
                  credentialsFile: /etc/sandlot/git-token
                  knownHostsFile: /etc/sandlot/known_hosts
                  allowEmpty: true
                """));
        assertThat(git).isEqualTo(new GitSettings("https://git.example.com/ops/sandboxes.git", "production", "hosts",
                Duration.ofMinutes(5), Path.of("/etc/sandlot/git-token"), Path.of("/etc/sandlot/known_hosts"), true));
    }

    @Test
    void defaultsAreHeadTheRootSixtySecondsAndNoEmptyCommits() throws Exception {
        GitSettings git = ConfigFile.git(read("git: {url: \"file:///srv/git/sandboxes.git\"}\n"));
        assertThat(git.ref()).isNull();
        assertThat(git.path()).isEmpty();
        assertThat(git.interval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(git.allowEmpty()).isFalse();
        assertThat(git.credentialsFile()).isNull();
        assertThat(ConfigFile.git(read("# nothing\nmetricsAddress: \"off\"\n"))).isNull();
    }

    @Test
    void mistakesAreRefusedWithTheKeyNamed() {
        assertThatThrownBy(() -> ConfigFile.git(read("git: {ref: main}\n"))).hasMessageStartingWith("git.url:");
        assertThatThrownBy(() -> ConfigFile.git(read("git: {url: x, path: ../etc}\n"))).hasMessageStartingWith("git.path:");
        assertThatThrownBy(() -> ConfigFile.git(read("git: {url: x, path: a/.git/b}\n"))).hasMessageStartingWith("git.path:");
        assertThatThrownBy(() -> ConfigFile.git(read("git: {url: x, ref: --upload-pack=x}\n"))).hasMessageStartingWith("git.ref:");
        assertThatThrownBy(() -> ConfigFile.git(read("git: {url: x, interval: 0s}\n"))).hasMessageStartingWith("git.interval:");
        assertThatThrownBy(() -> ConfigFile.git(read("git: {url: x, credentialsFile: token}\n")))
                .hasMessageStartingWith("git.credentialsFile:");
        assertThatThrownBy(() -> read("git: {url: x, branch: main}\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("branch");
    }

    @Test
    void hostNameAndLabelsAreReadAndLabelsChecked() throws Exception {
        ConfigFile.Content c = read("hostName: web-1\nhostLabels: {role: web, zone: eu-1}\n");
        assertThat(c.hostName()).isEqualTo("web-1");
        assertThat(ConfigFile.hostLabels(c)).isEqualTo(Map.of("role", "web", "zone", "eu-1"));
        assertThatThrownBy(() -> ConfigFile.hostLabels(read("hostLabels: {role: \"two words\"}\n")))
                .hasMessageStartingWith("hostLabels: role:");
    }
}
