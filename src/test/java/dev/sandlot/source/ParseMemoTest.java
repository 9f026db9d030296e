package dev.sandlot.source;

import static dev.sandlot.source.SourceFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A relist re-parses only what changed, and never answers for bytes it has not seen. */
class ParseMemoTest {
    private static final List<Path> ALLOW = List.of(Path.of("/srv"));

    @TempDir
    Path dir;

    Path folder;
    final ParseMemo memo = new ParseMemo();

    @BeforeEach
    void folder() throws IOException {
        folder = Files.createDirectories(dir.resolve("manifests"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void write(String name, String content) throws IOException {
        Path file = folder.resolve(name);
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    private FileResult only(String name) throws Exception {
        return FolderSource.read(folder, ALLOW, memo).stream()
                .filter(f -> f.file().equals(folder.resolve(name).toString())).findFirst().orElseThrow();
    }

    @Test
    void unchangedBytesGiveTheRememberedParse() throws Exception {
        write("web.yaml", yaml("web", "-a"));
        FileResult first = only("web.yaml");

        assertThat(only("web.yaml")).isSameAs(first);
    }

    @Test
    void anEditInPlaceOfTheSameSizeIsParsedAgain() throws Exception {
        write("web.yaml", yaml("web", "-a"));
        Path file = folder.resolve("web.yaml");
        long size = Files.size(file);
        FileResult first = only("web.yaml");
        // Same length, same mtime second: only the bytes tell them apart.
        var mtime = Files.getLastModifiedTime(file);
        write("web.yaml", yaml("web", "-b"));
        Files.setLastModifiedTime(file, mtime);

        FileResult second = only("web.yaml");

        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(second).isNotSameAs(first);
        assertThat(second.manifests().get(0).spec()).isNotEqualTo(first.manifests().get(0).spec());
    }

    @Test
    void aFileThatBreaksIsJudgedOnItsNewBytes() throws Exception {
        write("web.yaml", yaml("web", "-a"));
        assertThat(only("web.yaml").valid()).isTrue();

        write("web.yaml", "apiVersion: sandlot.dev/v1\nkind: [\n");

        assertThat(only("web.yaml").valid()).isFalse();
    }

    @Test
    void deletedFilesAreForgotten() throws Exception {
        write("a.yaml", yaml("a", "-a"));
        write("b.yaml", yaml("b", "-a"));
        FolderSource.read(folder, ALLOW, memo);
        assertThat(memo.size()).isEqualTo(2);

        Files.delete(folder.resolve("b.yaml"));
        FolderSource.read(folder, ALLOW, memo);

        assertThat(memo.size()).isEqualTo(1);
    }
}
