package dev.sandlot.source;

import static dev.sandlot.source.SourceFixtures.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderSourceTest {
    private static final List<Path> ALLOW = List.of(Path.of("/srv"));

    @TempDir
    Path dir;

    Path folder;

    @BeforeEach
    void folder() throws IOException {
        folder = Files.createDirectories(dir.resolve("manifests"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path write(String name, String content) throws IOException {
        Path file = folder.resolve(name);
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    @Test
    void eachManifestFileIsReadUnderItsAbsolutePath() throws Exception {
        write("web.yaml", yaml("web", "-f"));
        write("broken.yml", "apiVersion: sandlot.dev/v1\nkind: [\n");
        write("notes.txt", "not a manifest");
        write(".web.yaml.swp", "editor junk");

        List<FileResult> files = FolderSource.read(folder, ALLOW);

        assertThat(files).extracting(FileResult::file)
                .containsExactlyInAnyOrder(folder.resolve("web.yaml").toString(), folder.resolve("broken.yml").toString());
        FileResult web = files.stream().filter(FileResult::valid).findFirst().orElseThrow();
        assertThat(web.manifests()).extracting(m -> m.name()).containsExactly("web");
        FileResult broken = files.stream().filter(f -> !f.valid()).findFirst().orElseThrow();
        assertThat(broken.manifests()).isEmpty();
        assertThat(broken.errors()).allSatisfy(e -> assertThat(e).startsWith(folder.resolve("broken.yml") + ":"));
    }

    @Test
    void aRelativeFolderNamesFilesTheSameAsItsAbsolutePath() throws Exception {
        write("web.yaml", yaml("web", "-f"));
        Path relative = Path.of("").toAbsolutePath().relativize(folder);

        assertThat(FolderSource.read(relative, ALLOW)).extracting(FileResult::file)
                .containsExactly(folder.resolve("web.yaml").toString());
    }

    @Test
    void aFileWithOneBadDocumentContributesNoneOfItsDocuments() throws Exception {
        write("two.yaml", yaml("web", "-f") + "---\n" + yaml("Bad_Name", "-f"));

        FileResult two = FolderSource.read(folder, ALLOW).get(0);

        assertThat(two.valid()).isFalse();
        assertThat(two.manifests()).isEmpty();
    }

    @Test
    void aMissingFolderIsUnavailableNeverEmpty() {
        assertThatThrownBy(() -> FolderSource.read(dir.resolve("gone"), ALLOW))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining("nothing was changed");
    }

    @Test
    void aFileInPlaceOfTheFolderIsUnavailable() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");

        assertThatThrownBy(() -> FolderSource.read(file, ALLOW))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("is not a folder");
    }

    @Test
    void aFolderOthersCanWriteIsRefusedWhole() throws Exception {
        write("web.yaml", yaml("web", "-f"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> FolderSource.read(folder, ALLOW))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("writable by group or others")
                .hasMessageContaining("chmod go-w");
    }

    @Test
    void aFileOthersCanWriteIsAnErrorOnThatFileOnly() throws Exception {
        write("web.yaml", yaml("web", "-f"));
        Path db = write("db.yaml", yaml("db", "-f"));
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-rw-r--"));

        List<FileResult> files = FolderSource.read(folder, ALLOW);

        FileResult refused = files.stream().filter(f -> f.file().equals(db.toString())).findFirst().orElseThrow();
        assertThat(refused.manifests()).isEmpty();
        assertThat(refused.errors()).singleElement().asString().startsWith(db + ":1:1: ")
                .contains("writable by group or others");
        assertThat(files).filteredOn(FileResult::valid).extracting(FileResult::file)
                .containsExactly(folder.resolve("web.yaml").toString());
    }

    @Test
    void aFileOwnedBySomeoneElseIsRefused() throws Exception {
        assumeTrue(isRoot(), "chown needs root");
        Path db = write("db.yaml", yaml("db", "-f"));
        Files.setAttribute(db, "unix:uid", 4321);

        FileResult refused = FolderSource.read(folder, ALLOW).get(0);

        assertThat(refused.manifests()).isEmpty();
        assertThat(refused.errors()).singleElement().asString().contains("owned by uid 4321");
    }

    @Test
    void aFolderOwnedBySomeoneElseIsRefusedWhole() throws Exception {
        assumeTrue(isRoot(), "chown needs root");
        write("web.yaml", yaml("web", "-f"));
        Files.setAttribute(folder, "unix:uid", 4321);

        assertThatThrownBy(() -> FolderSource.read(folder, ALLOW))
                .isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("owned by uid 4321");
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    @Test
    void anEmptiedFileIsAnErrorNotAnEmptyFile() throws Exception {
        write("web.yaml", "");

        FileResult web = FolderSource.read(folder, ALLOW).get(0);

        assertThat(web.valid()).isFalse();
    }

    // ---- relists re-parse only what changed (ParseMemo) ----------------------------------------

    final ParseMemo memo = new ParseMemo();

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
