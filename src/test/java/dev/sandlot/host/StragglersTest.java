package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StragglersTest {
    @TempDir
    Path proc;

    private void process(long pid, String cmdline, String environ) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("cmdline"), cmdline.replace(' ', '\0') + "\0");
        Files.writeString(dir.resolve("environ"), environ.replace(' ', '\0') + "\0");
    }

    @Test
    void findsPluginsOfOurIdsAndRunscCallsOnOurRootButNeverSandboxesOrExecSessions() throws Exception {
        Path root = Path.of("/run/sandlot/runsc");
        process(101, "/usr/lib/cni/host-local", "CNI_COMMAND=ADD CNI_CONTAINERID=sandlot-web.0000abcd PATH=/bin");
        process(102, "/usr/lib/cni/bridge", "CNI_COMMAND=DEL CNI_CONTAINERID=sandlot-other.0000abcd PATH=/bin");
        process(103, "runsc --root /run/sandlot/runsc --network=host delete -- sandlot-web.0000abcd", "PATH=/bin");
        process(104, "runsc-sandbox --root=/run/sandlot/runsc boot --bundle=/x", "PATH=/bin");
        process(105, "runsc --root /run/sandlot/runsc exec -- sandlot-web.0000abcd /bin/sh", "PATH=/bin");
        process(106, "runsc --root /run/other/runsc kill -- x", "PATH=/bin");
        process(107, "/usr/bin/env", "CNI_CONTAINERID=sandlot-web.0000abcd");
        process(108, "runsc --root /run/sandlot/runsc --network=host list --format json", "PATH=/bin");

        assertThat(new Stragglers(proc).find(Set.of("sandlot-web.0000abcd"), root))
                .containsExactlyInAnyOrder(101L, 103L);
    }
}
