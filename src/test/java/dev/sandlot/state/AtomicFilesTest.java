package dev.sandlot.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    @Test
    void writeCreatesTheFileAndItsFolders() throws IOException {
        Path target = dir.resolve("a/b/file.json");

        AtomicFiles.write(target, "{}".getBytes(StandardCharsets.UTF_8));

        assertThat(target).hasContent("{}");
    }

    @Test
    void aReplacementIsANewFileRenamedOverTheOldSoAReaderNeverSeesAPartialWrite() throws IOException {
        Path target = dir.resolve("file.json");
        AtomicFiles.write(target, "old content".getBytes(StandardCharsets.UTF_8));
        long before = inode(target);

        try (InputStream reader = Files.newInputStream(target)) {
            AtomicFiles.write(target, "new".getBytes(StandardCharsets.UTF_8));

            assertThat(new String(reader.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("old content");
        }
        assertThat(target).hasContent("new");
        assertThat(inode(target)).as("renamed over, never written in place").isNotEqualTo(before);
    }

    @Test
    void aFailedRenameLeavesNoTemporaryFileBehind() throws IOException {
        Path target = dir.resolve("busy");
        Files.createDirectories(target.resolve("child"));

        assertThatThrownBy(() -> AtomicFiles.write(target, "x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class);

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("busy");
        }
    }

    @Test
    void fsyncOfAFolderThatCannotBeOpenedIsNotAnError() {
        AtomicFiles.fsyncDirectory(dir.resolve("missing"));
    }
}
