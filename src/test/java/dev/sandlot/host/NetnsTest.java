package dev.sandlot.host;

import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetnsTest {
    @TempDir
    Path dir;

    private final RecordingProcessRunner runner = new RecordingProcessRunner();

    @Test
    void createRunsIpNetnsAddWithOnlyAPath() throws HostException {
        runner.whenArgv("ip", "netns", "add").thenReturn(ok(""));

        new Netns(runner, dir).create("sandlot-web.0a1b2c3d");

        ExecRequest r = runner.only();
        assertThat(r.argv()).containsExactly("ip", "netns", "add", "sandlot-web.0a1b2c3d");
        assertThat(r.env()).isEqualTo(Map.of("PATH", ExecRequest.DEFAULT_PATH));
        assertThat(r.stdin()).isNull();
    }

    @Test
    void createOfAnExistingNamespaceRunsNothing() throws IOException, HostException {
        Files.createFile(dir.resolve("sandlot-web.0a1b2c3d"));

        new Netns(runner, dir).create("sandlot-web.0a1b2c3d");

        assertThat(runner.requests()).isEmpty();
    }

    @Test
    void createThatLosesARaceToAnotherCreatorIsFine() throws HostException {
        runner.whenArgv("ip", "netns", "add").thenReturn(r -> {
            Files.createFile(dir.resolve("x1"));
            return ExecResult.failed(1, "Cannot create namespace file \"/run/netns/x1\": File exists");
        });

        new Netns(runner, dir).create("x1");
    }

    @Test
    void aFailedCreateNamesTheNamespaceAndTheError() {
        runner.whenArgv("ip", "netns", "add").thenReturn(fail(1, "mount --make-shared /run/netns failed:\u001b[31m"
                + " Operation not permitted\n"));

        assertThatThrownBy(() -> new Netns(runner, dir).create("x1"))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("cannot create network namespace x1")
                .hasMessageContaining("Operation not permitted")
                .hasMessageNotContaining("\u001b");
    }

    @Test
    void deleteOfAMissingNamespaceRunsNothing() throws HostException {
        new Netns(runner, dir).delete("gone");

        assertThat(runner.requests()).isEmpty();
    }

    @Test
    void deleteRunsIpNetnsDelete() throws IOException, HostException {
        Files.createFile(dir.resolve("x1"));
        runner.whenArgv("ip", "netns", "delete").thenReturn(r -> {
            Files.delete(dir.resolve("x1"));
            return ExecResult.ok("");
        });

        new Netns(runner, dir).delete("x1");

        assertThat(runner.only().argv()).containsExactly("ip", "netns", "delete", "x1");
    }

    @Test
    void aFailedDeleteThatLeavesTheNamespaceIsAnError() throws IOException {
        Files.createFile(dir.resolve("x1"));
        runner.whenArgv("ip", "netns", "delete").thenReturn(fail(1, "Device or resource busy"));

        assertThatThrownBy(() -> new Netns(runner, dir).delete("x1"))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("x1")
                .hasMessageContaining("busy");
    }

    @Test
    void listReadsTheDirectoryByPrefixWithoutRunningAnything() throws IOException, HostException {
        for (String n : List.of("sandlot-b.2", "sandlot-a.1", "other", "cni-123")) {
            Files.createFile(dir.resolve(n));
        }

        assertThat(new Netns(runner, dir).list("sandlot-")).containsExactly("sandlot-a.1", "sandlot-b.2");
        assertThat(new Netns(runner, dir.resolve("missing")).list("sandlot-")).isEmpty();
        assertThat(runner.requests()).isEmpty();
    }

    @Test
    void existsAndPath() throws IOException {
        Files.createFile(dir.resolve("x1"));
        Netns netns = new Netns(runner, dir);

        assertThat(netns.exists("x1")).isTrue();
        assertThat(netns.exists("x2")).isFalse();
        assertThat(netns.path("x1")).isEqualTo(dir.resolve("x1"));
    }

    @Test
    void namesWithPathElementsAreRejected() {
        Netns netns = new Netns(runner, dir);
        for (String bad : List.of("../etc", "a/b", "..", ".", "", "-x", "a b", "a\nb")) {
            assertThatThrownBy(() -> netns.path(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> netns.create(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> netns.delete(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(runner.requests()).isEmpty();
    }
}
