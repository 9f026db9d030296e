package dev.sandlot.source.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandlot.config.GitSettings;
import dev.sandlot.source.SourceUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ssh transport through the system's ssh client, with a stand-in {@code ssh} that records its
 * arguments and runs the remote command (git-upload-pack) locally: what sandlot asks of ssh, and
 * that a fetch over it converges.
 */
class SshTransportTest {
    @TempDir
    Path dir;

    private Path fakeSsh(Path argvLog) throws Exception {
        Path ssh = dir.resolve("fake-ssh");
        Files.writeString(ssh, """
                #!/bin/sh
                printf '%%s\\n' "$@" > %s
                for last; do :; done
                exec sh -c "$last"
                """.formatted(argvLog));
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        return ssh;
    }

    private Path key(String perms) throws Exception {
        Path key = dir.resolve("deploy-key");
        Files.writeString(key, "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString(perms));
        return key;
    }

    @Test
    void fetchesOverSshInBatchModeWithStrictHostKeysAndOnlyTheConfiguredKey() throws Exception {
        assertThat(Path.of("/usr/bin/git-upload-pack")).as("git installed (scripts/install-deps)").exists();
        GitFixture repo = new GitFixture(dir.resolve("remote"));
        String c1 = repo.commit("one", Map.of("web.yaml", GitFixture.manifest("web", "v1", null)));
        Path argv = dir.resolve("argv");
        Path key = key("rw-------");
        GitSettings git = new GitSettings("ssh://deploy@git.example.invalid:2222" + repo.bare, "main", "",
                Duration.ofSeconds(60), key, dir.resolve("known_hosts"), false);
        Path state = dir.resolve("state/git");
        GitManifestSource source = new GitManifestSource(git, state, List.of(Path.of("/srv")), false,
                new Fetcher(git, state.resolve("repo.git"), fakeSsh(argv).toString()), Clock.systemUTC());

        assertThat(source.read()).hasSize(1);
        assertThat(source.status().revision()).isEqualTo(c1);
        List<String> args = Files.readAllLines(argv);
        assertThat(args).containsSequence("-o", "BatchMode=yes").containsSequence("-o", "StrictHostKeyChecking=yes")
                .containsSequence("-F", "/dev/null").containsSequence("-i", key.toString())
                .containsSequence("-o", "IdentitiesOnly=yes")
                .containsSequence("-o", "UserKnownHostsFile=" + dir.resolve("known_hosts"))
                .containsSequence("-p", "2222").containsSequence("-l", "deploy")
                .containsSequence("--", "git.example.invalid");
        assertThat(args.get(args.size() - 1)).startsWith("git-upload-pack ");
        repo.close();
    }

    @Test
    void aKeyReadableByOthersIsRefusedBeforeSshRuns() throws Exception {
        Path argv = dir.resolve("argv");
        GitSettings git = new GitSettings("git@git.example.invalid:ops/sandboxes.git", null, "",
                Duration.ofSeconds(60), key("rw-r--r--"), null, false);
        Path state = dir.resolve("state/git");
        GitManifestSource source = new GitManifestSource(git, state, List.of(Path.of("/srv")), false,
                new Fetcher(git, state.resolve("repo.git"), fakeSsh(argv).toString()), Clock.systemUTC());

        assertThatThrownBy(source::read).isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("git.credentialsFile").hasMessageContaining("chmod 600");
        assertThat(argv).doesNotExist();
    }

    @Test
    void aHostThatLooksLikeAnOptionIsRefused() throws Exception {
        ExternalSsh ssh = new ExternalSsh("ssh", null, null);
        assertThatThrownBy(() -> ssh.getSession(new org.eclipse.jgit.transport.URIish("ssh://-oProxyCommand=x/repo"),
                null, null, 10)).isInstanceOf(org.eclipse.jgit.errors.TransportException.class);
    }
}
