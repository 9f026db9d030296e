package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupsTest {
    @TempDir
    Path root;

    private void write(String path, String content) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void readsCgroupV1PerController() throws IOException {
        write("memory/sandlot/x/memory.usage_in_bytes", "52428800\n");
        write("cpuacct/sandlot/x/cpuacct.usage", "123456789\n");
        write("pids/sandlot/x/pids.current", "7\n");

        assertThat(new Cgroups(root).unified()).isFalse();
        assertThat(new Cgroups(root).usage("/sandlot/x")).contains(new Cgroups.Usage(52428800L, 123456789L, 7L));
    }

    @Test
    void readsCgroupV2() throws IOException {
        write("cgroup.controllers", "cpu memory pids\n");
        write("sandlot/x/memory.current", "4096\n");
        write("sandlot/x/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n");
        write("sandlot/x/pids.current", "3\n");

        assertThat(new Cgroups(root).unified()).isTrue();
        assertThat(new Cgroups(root).usage("/sandlot/x")).contains(new Cgroups.Usage(4096L, 1_500_000L, 3L));
    }

    @Test
    void aMissingCgroupIsEmptyAndAMissingControllerIsNull() throws IOException {
        write("memory/sandlot/x/memory.usage_in_bytes", "1\n");

        assertThat(new Cgroups(root).usage("/sandlot/gone")).isEmpty();
        assertThat(new Cgroups(root).usage("/sandlot/x")).contains(new Cgroups.Usage(1L, null, null));
        assertThatThrownBy(() -> new Cgroups(root).usage("/sandlot/../../etc")).isInstanceOf(
                IllegalArgumentException.class);
    }

    @Test
    void removeDeletesTheLeafInEveryHierarchyAndOnlyIt() throws Exception {
        for (String h : List.of("memory", "pids", "cpu")) {
            Files.createDirectories(root.resolve(h).resolve("sandlot/x"));
        }
        Files.createDirectories(root.resolve("memory/sandlot/y"));

        assertThat(new Cgroups(root).remove("/sandlot/x")).isEqualTo(3);
        assertThat(new Cgroups(root).remove("/sandlot/x")).isZero();
        assertThat(root.resolve("memory/sandlot/y")).isDirectory();
        assertThat(root.resolve("memory/sandlot")).isDirectory();
    }

    @Test
    void removeRefusesACgroupThatIsNotEmpty() throws Exception {
        // On a real cgroupfs the kernel refuses rmdir while processes remain; a non-empty dir stands in.
        write("memory/sandlot/x/cgroup.procs", "42\n");

        assertThatThrownBy(() -> new Cgroups(root).remove("/sandlot/x"))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("sandlot/x")
                .hasMessageContaining("stop the sandbox first");
    }
}
