package dev.sandlot.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which files of a folder count, and that nothing but a regular file is ever opened (RELIABILITY.md §B.12, §B.14). */
@Timeout(10)
class ManifestFilesTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"web.yaml", "web.yml", "a.b.yaml", "0.yaml", "web copy.yaml"})
    void manifestNamesCount(String name) {
        assertThat(ManifestFiles.isManifestName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {".web.yaml", ".web.yaml.swp", ".#web.yaml", "web.yaml~", "web.yaml.bak", "#web.yaml#",
        "4913", "~$web.yaml", "web.yaml.tmp", "web.json", "web.YAML", "web.yaml.swx", ".yaml", "yaml", "web.yaml.orig"})
    void dotfilesEditorAndBackupFilesDoNotCount(String name) {
        assertThat(ManifestFiles.isManifestName(name)).isFalse();
    }

    @Test
    void readsExactlyTheManifestFilesDirectlyInTheFolderSortedByName() throws Exception {
        write("b.yaml", "b");
        write("a.yml", "a");
        write("c.yaml.bak", "old");
        write(".c.yaml.swp", "swap");
        write("notes.txt", "text");
        Files.createDirectory(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/d.yaml"), "nested");
        List<ManifestFile> files = ManifestFiles.read(dir);
        assertThat(files).extracting(f -> f.path().getFileName().toString()).containsExactly("a.yml", "b.yaml");
        assertThat(files).allSatisfy(f -> assertThat(f).isInstanceOf(ManifestFile.Loaded.class));
        assertThat(((ManifestFile.Loaded) files.get(1)).content()).isEqualTo("b".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void symlinksAreReportedNeverFollowed() throws Exception {
        Path target = write("real.txt", "secret");
        Files.createSymbolicLink(dir.resolve("link.yaml"), target);
        Files.createSymbolicLink(dir.resolve("dangling.yaml"), dir.resolve("missing"));
        assertThat(ManifestFiles.read(dir)).containsExactly(
                new ManifestFile.Unreadable(dir.resolve("dangling.yaml"), "symlinks are not followed"),
                new ManifestFile.Unreadable(dir.resolve("link.yaml"), "symlinks are not followed"));
        assertThat(ManifestFiles.readFile(dir.resolve("link.yaml")))
                .isEqualTo(new ManifestFile.Unreadable(dir.resolve("link.yaml"), "symlinks are not followed"));
    }

    @Test
    void fifosSocketsAndFoldersAreReportedWithoutBeingOpened() throws Exception {
        Path fifo = dir.resolve("fifo.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Path socket = dir.resolve("socket.yaml");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Files.createDirectory(dir.resolve("folder.yaml"));
            assertThat(ManifestFiles.read(dir)).containsExactly(
                    new ManifestFile.Unreadable(fifo, "not a regular file (a FIFO, socket or device is never read)"),
                    new ManifestFile.Unreadable(dir.resolve("folder.yaml"), "is a folder; subfolders are not read"),
                    new ManifestFile.Unreadable(socket, "not a regular file (a FIFO, socket or device is never read)"));
        }
    }

    @Test
    void devicesAreNeverRead() {
        assertThat(ManifestFiles.readFile(Path.of("/dev/zero")))
                .isEqualTo(new ManifestFile.Unreadable(Path.of("/dev/zero"), "not a regular file (a FIFO, socket or device is never read)"));
    }

    @Test
    void oversizedFilesAreNotRead() throws Exception {
        Path big = dir.resolve("big.yaml");
        Files.write(big, new byte[ManifestParser.MAX_FILE_BYTES + 1]);
        Files.write(dir.resolve("limit.yaml"), new byte[ManifestParser.MAX_FILE_BYTES]);
        List<ManifestFile> files = ManifestFiles.read(dir);
        assertThat(files.get(0)).isEqualTo(new ManifestFile.Unreadable(big, "file is larger than 256 KiB"));
        assertThat(files.get(1)).isInstanceOf(ManifestFile.Loaded.class);
    }

    @Test
    void aFolderThatCannotBeListedIsAnExceptionNotAnEmptyList() throws Exception {
        assertThatThrownBy(() -> ManifestFiles.read(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
        Path file = write("file.yaml", "x");
        assertThatThrownBy(() -> ManifestFiles.read(file)).isInstanceOf(NotDirectoryException.class);
    }

    @Test
    void aMissingFileIsUnreadable() {
        assertThat(ManifestFiles.readFile(dir.resolve("gone.yaml")))
                .isEqualTo(new ManifestFile.Unreadable(dir.resolve("gone.yaml"), "no such file"));
    }

    @Test
    void anEmptyFolderHasNoManifests() throws IOException {
        assertThat(ManifestFiles.read(dir)).isEmpty();
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @ParameterizedTest(name = "seen {0} bytes, holds {1}")
    @org.junit.jupiter.params.provider.CsvSource({"10, 10", "10, 4", "10, 25", "0, 0", "0, 7", "10, 99"})
    void aFileIsReadWholeWhateverItsSizeWhenLookedAtUpToTheLimit(long seen, int holds) throws IOException {
        byte[] content = new byte[holds];
        java.util.Arrays.fill(content, (byte) 'x');
        int limit = 40;

        byte[] read = ManifestFiles.readUpTo(new java.io.ByteArrayInputStream(content), seen, limit);

        assertThat(read).hasSize(Math.min(holds, limit));
    }
}
