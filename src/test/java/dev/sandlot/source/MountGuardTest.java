package dev.sandlot.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountGuardTest {
    @TempDir
    Path tmp;

    private Path mountinfo(Path... mountPoints) throws Exception {
        StringBuilder b = new StringBuilder("22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n");
        int id = 30;
        for (Path p : mountPoints) {
            b.append(id++).append(" 22 0:40 / ").append(p.toString().replace(" ", "\\040"))
                    .append(" rw,relatime shared:2 - tmpfs tmpfs rw\n");
        }
        Path file = tmp.resolve("mountinfo-" + id);
        Files.writeString(file, b.toString());
        return file;
    }

    @Test
    void aFolderThatWasAMountPointAndIsNoLongerMountedIsRefused() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("manifests dir"));
        Path marker = tmp.resolve("marker");
        MountGuard mounted = new MountGuard(marker, mountinfo(folder.toRealPath()), false);
        mounted.check(folder);
        mounted.remember(folder);
        assertThat(Files.readString(marker)).isEqualTo(folder.toRealPath().toString());

        MountGuard unmounted = new MountGuard(marker, mountinfo(), false);
        assertThatThrownBy(() -> unmounted.check(folder))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("was a mount point and is not mounted now");
    }

    @Test
    void aPlainFolderIsNeverRefusedAndLeavesNoMarker() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("plain"));
        Path marker = tmp.resolve("marker");
        MountGuard guard = new MountGuard(marker, mountinfo(), false);
        guard.check(folder);
        guard.remember(folder);
        assertThat(marker).doesNotExist();
    }

    @Test
    void aCheckOnlyGuardNeverWritesItsMarker() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("m"));
        Path marker = tmp.resolve("marker");
        new MountGuard(marker, mountinfo(folder.toRealPath()), true).remember(folder);
        assertThat(marker).doesNotExist();
    }
}
