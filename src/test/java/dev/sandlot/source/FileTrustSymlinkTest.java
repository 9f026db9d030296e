package dev.sandlot.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY.md item 15 with symlinks (sshd's StrictModes judges the real path): a symlink's own
 * mode is always 0777 and says nothing, so it must neither refuse a trusted folder reached through
 * it nor earn a symlinked manifest the advice "chmod go-w" (which would change the link's target).
 */
class FileTrustSymlinkTest {
    private static final List<Path> ALLOW = List.of(Path.of("/srv"));
    private static final String MANIFEST = """
            apiVersion: sandlot.dev/v1
            kind: Sandbox
            metadata:
              name: web
            spec:
              rootfs:
                path: /srv/rootfs
              process:
                args: ["/bin/httpd", "-f"]
            """;

    @TempDir
    Path tmp;

    @BeforeEach
    void privateTemp() throws Exception {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path dir(String name, String mode) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
        return d;
    }

    @Test
    void aSymlinkedManifestIsRefusedAsASymlinkNotWithAdviceToChmodItsTarget() throws Exception {
        Path folder = dir("manifests", "rwxr-xr-x");
        Path target = Files.writeString(tmp.resolve("elsewhere.yaml"), MANIFEST);
        Files.createSymbolicLink(folder.resolve("web.yaml"), target);

        FileResult link = FolderSource.read(folder, ALLOW).get(0);

        assertThat(link.manifests()).isEmpty();
        assertThat(link.errors()).singleElement().asString()
                .isEqualTo(folder.resolve("web.yaml") + ":1:1: symlinks are not followed");
    }

    @Test
    void aTrustedFolderReachedThroughASymlinkIsRead() throws Exception {
        Path real = dir("real", "rwxr-xr-x");
        Path folder = dir("real/manifests", "rwxr-xr-x");
        Files.writeString(folder.resolve("web.yaml"), MANIFEST);
        Files.setPosixFilePermissions(folder.resolve("web.yaml"), PosixFilePermissions.fromString("rw-r--r--"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);

        assertThat(FileTrust.forCurrentUser().folderProblem(link.resolve("manifests"))).isNull();
        assertThat(FolderSource.read(link.resolve("manifests"), ALLOW)).singleElement()
                .satisfies(f -> assertThat(f.valid()).as(f.errors().toString()).isTrue());
    }

    @Test
    void aSymlinkToAFolderOthersCanWriteIsRefusedNamingTheRealFolder() throws Exception {
        Path open = dir("open", "rwxrwxrwx");
        Path link = Files.createSymbolicLink(tmp.resolve("manifests"), open);

        assertThatThrownBy(() -> FolderSource.read(link, ALLOW))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("manifests folder " + open.toRealPath() + ": writable by group or others");
    }

    @Test
    void aSymlinkInAFolderOthersCanWriteIsRefusedThoughItsTargetIsTrusted() throws Exception {
        Path trusted = dir("trusted", "rwxr-xr-x");
        Path open = dir("open", "rwxrwxrwx");
        Path link = Files.createSymbolicLink(open.resolve("manifests"), trusted);

        assertThat(FileTrust.forCurrentUser().folderProblem(link))
                .isEqualTo("folder above the manifests, " + open + ": writable by group or others; refused (chmod go-w "
                        + open + ")");
    }
}
