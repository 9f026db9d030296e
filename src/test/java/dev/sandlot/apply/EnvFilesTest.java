package dev.sandlot.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.Resources;
import dev.sandlot.manifest.RestartPolicy;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.manifest.SandboxSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvFilesTest {
    @TempDir
    Path dir;
    private Path secrets;

    @BeforeEach
    void setUp() throws Exception {
        secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwx------"));
    }

    private Path secret(String name, String content) throws Exception {
        Path f = secrets.resolve(name);
        Files.writeString(f, content);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    private static Map<String, String> parse(String text) throws Exception {
        return EnvFiles.parse("/s/app.env", text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void linesAreKeyEqualsValueTakenLiterallyWithCommentsAndBlankLinesSkipped() throws Exception {
        Map<String, String> vars = parse("""
                # database
                DB_URL=postgres://db:5432/app?sslmode=require

                  TOKEN="quoted stays quoted"
                EMPTY=
                EXPANDS=$HOME and ${PATH} and `id`
                WITH_EQUALS=a=b=c
                CRLF=yes\r
                DUP=first
                DUP=second
                """);
        assertThat(vars).containsExactly(
                Map.entry("DB_URL", "postgres://db:5432/app?sslmode=require"),
                Map.entry("TOKEN", "\"quoted stays quoted\""),
                Map.entry("EMPTY", ""),
                Map.entry("EXPANDS", "$HOME and ${PATH} and `id`"),
                Map.entry("WITH_EQUALS", "a=b=c"),
                Map.entry("CRLF", "yes"),
                Map.entry("DUP", "second"));
    }

    @Test
    void aBadLineIsAnErrorNamingFileAndLineButNeverTheValue() {
        assertThatThrownBy(() -> parse("OK=1\nno equals sign here s3cr3t\n"))
                .hasMessage("/s/app.env:2: not KEY=VALUE (a line without '=')");
        assertThatThrownBy(() -> parse("1BAD=s3cr3t\n")).hasMessageStartingWith("/s/app.env:1: not a variable name")
                .message().doesNotContain("s3cr3t");
        assertThatThrownBy(() -> parse("export K=s3cr3t\n")).message().doesNotContain("s3cr3t");
        assertThatThrownBy(() -> parse("K=s3\0cr3t\n")).hasMessage("/s/app.env:1: K: the value holds a NUL byte");
        assertThatThrownBy(() -> EnvFiles.parse("/s/bin.env", new byte[] {'K', '=', (byte) 0xff}))
                .hasMessage("/s/bin.env: not UTF-8 text");
    }

    @Test
    void laterFilesWinOverEarlierOnesAndTheManifestsEnvWinsOverAll() throws Exception {
        Path a = secret("a.env", "A=from-a\nSHARED=a\nBOTH=a\n");
        Path b = secret("b.env", "B=from-b\nSHARED=b\n");
        Map<String, String> merged = EnvFiles.merge(List.of(a.toString(), b.toString()), Map.of("BOTH", "manifest"),
                List.of(secrets));
        assertThat(merged).containsEntry("A", "from-a").containsEntry("B", "from-b").containsEntry("SHARED", "b")
                .containsEntry("BOTH", "manifest");
    }

    @Test
    void aFileReadableByOthersASymlinkAMissingFileOrAnOpenFolderIsRefused() throws Exception {
        Path open = secret("open.env", "K=v\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> EnvFiles.read(open)).hasMessageContaining("readable or writable by group or others")
                .hasMessageContaining("chmod 600");

        Path target = secret("real.env", "K=v\n");
        Path link = Files.createSymbolicLink(secrets.resolve("link.env"), target);
        assertThatThrownBy(() -> EnvFiles.read(link)).hasMessageContaining("is a symlink");

        assertThatThrownBy(() -> EnvFiles.read(secrets.resolve("missing.env")))
                .hasMessageContaining("no such file on this host");

        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> EnvFiles.read(target)).hasMessageContaining("folder " + secrets)
                .hasMessageContaining("writable by group or others");
    }

    @Test
    void theBundleGetsTheValuesTheRecordKeepsOnlyTheFileNamesAndAProblemFailsThatSandboxAtEnvFrom()
            throws Exception {
        Path app = secret("app.env", "TOKEN=t0ken\nMODE=file\n");
        SandboxSpec spec = spec(List.of(app.toString()), Map.of("MODE", "manifest"));

        SandboxSpec bundle = SandboxCreator.withEnvFrom("web", spec, List.of(secrets));

        assertThat(bundle.process().env()).containsEntry("TOKEN", "t0ken").containsEntry("MODE", "manifest");
        assertThat(bundle.process().envFrom()).isEmpty();
        assertThat(spec.process().env()).doesNotContainKey("TOKEN");
        assertThat(SandboxCreator.withEnvFrom("web", spec(List.of(), Map.of()), List.of(secrets))).isEqualTo(spec(List.of(), Map.of()));

        Files.setPosixFilePermissions(app, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> SandboxCreator.withEnvFrom("web", spec, List.of(secrets))).isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("envFrom"))
                .hasMessageStartingWith("web: envFrom: " + app).message().doesNotContain("t0ken");
    }

    private static SandboxSpec spec(List<String> envFrom, Map<String, String> env) {
        return new SandboxSpec(Rootfs.directory("/srv/rootfs"), new ProcessSpec(List.of("/bin/app"), "/", env,
                ProcessSpec.User.ROOT, envFrom), "web", List.of(), List.of(), Resources.NONE, RestartPolicy.Always);
    }

    @Test
    void aFileOutsideTheSecretFoldersIsRefusedEvenThroughASymlinkedFolder() throws Exception {
        Path app = secret("app.env", "TOKEN=t0ken\n");
        Path other = java.nio.file.Files.createDirectories(dir.resolve("elsewhere"));
        assertThatThrownBy(() -> EnvFiles.merge(List.of(app.toString()), Map.of(), List.of(other)))
                .hasMessageContaining("not under a secret folder").message().doesNotContain("t0ken");
        Path link = dir.resolve("via-link");
        java.nio.file.Files.createSymbolicLink(link, secrets);
        assertThatThrownBy(() -> EnvFiles.requireInSecretDirs(link.resolve("app.env"), List.of(dir.resolve("via"))))
                .hasMessageContaining("not under a secret folder");
        Path inside = java.nio.file.Files.createDirectories(secrets.resolve("sub"));
        java.nio.file.Files.createSymbolicLink(inside.resolve("escape"), other);
        assertThatThrownBy(() -> EnvFiles.requireInSecretDirs(inside.resolve("escape").resolve("x.env"), List.of(secrets)))
                .hasMessageContaining("not under a secret folder");
        EnvFiles.requireInSecretDirs(app, List.of(secrets));
    }
}
