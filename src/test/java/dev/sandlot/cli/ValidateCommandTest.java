package dev.sandlot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sandlot validate}: exit status, output format, and folders full of traps (never blocks). */
@Timeout(20)
class ValidateCommandTest {
    /** A valid manifest; other command tests use it too. */
    static final String WEB = """
            apiVersion: sandlot.dev/v1
            kind: Sandbox
            metadata: {name: web}
            spec:
              rootfs: {path: /srv/rootfs}
              process: {args: [/bin/httpd, -f]}
            """;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int validate(String... args) {
        CommandLine cli = new CommandLine(new ValidateCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void validFilesExitZeroAndSaySo() throws IOException {
        Path web = write("web.yaml", WEB);
        Path two = write("two.yaml", WEB.replace("web", "a") + "---\n" + WEB.replace("web", "b"));
        assertThat(validate(web.toString(), two.toString())).isZero();
        assertThat(err.toString()).isEmpty();
        assertThat(out.toString()).isEqualTo("2 files, 3 sandboxes valid\n");
    }

    @Test
    void everyErrorIsPrintedAsFileLineColumnFieldPathMessageAndExitIsOne() throws IOException {
        Path bad = write("bad.yaml", WEB.replace("/bin/httpd, -f", "").replace("name: web", "name: Web"));
        Path good = write("good.yaml", WEB);
        assertThat(validate(bad.toString(), good.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(
                bad + ":3:18: metadata.name: must be 1 to 32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit\n"
                + bad + ":6:19: spec.process.args: must list at least the program to run\n");
        assertThat(out.toString()).isEqualTo("2 errors in 1 file (2 files checked)\n");
    }

    @Test
    void aFolderMeansExactlyTheFilesTheDaemonWouldRead() throws Exception {
        write("web.yaml", WEB);
        write("db.yml", WEB.replace("web", "db"));
        write(".hidden.yaml", "garbage: [");
        write("web.yaml~", "garbage: [");
        write("web.yaml.bak", "garbage: [");
        write("#web.yaml#", "garbage: [");
        write("4913", "");
        write(".web.yaml.swp", "garbage: [");
        Files.createDirectory(dir.resolve("sub"));
        write("sub/nested.yaml", "garbage: [");
        Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("pipe.yaml").toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        Files.createSymbolicLink(dir.resolve("link.yaml"), dir.resolve("web.yaml"));

        assertThat(validate(dir.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(
                dir.resolve("link.yaml") + ":1:1: symlinks are not followed\n"
                + dir.resolve("pipe.yaml") + ":1:1: not a regular file (a FIFO, socket or device is never read)\n");
        assertThat(out.toString()).isEqualTo("2 errors in 2 files (4 files checked)\n");
    }

    @Test
    void aCleanFolderIsValid() throws IOException {
        write("web.yaml", WEB);
        write("notes.txt", "not a manifest");
        assertThat(validate(dir.toString())).isZero();
        assertThat(out.toString()).isEqualTo("1 file, 1 sandbox valid\n");
    }

    @Test
    void missingOrUnreadablePathsAreErrors() {
        Path missing = dir.resolve("missing.yaml");
        Path missingDir = dir.resolve("nothing-here");
        assertThat(validate(missing.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(missing + ":1:1: no such file\n");
        err.getBuffer().setLength(0);
        out.getBuffer().setLength(0);
        Files.exists(missingDir);
        assertThat(validate(missingDir.toString() + "/")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(missingDir + ":1:1: no such file\n");
    }

    @Test
    void aNameDeclaredInTwoFilesIsAnErrorInBoth() throws IOException {
        Path a = write("a.yaml", WEB);
        Path b = write("b.yaml", WEB);
        assertThat(validate(dir.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(
                a + ":1:1: metadata.name: this sandbox name is also declared at " + b + ":1:1\n"
                + b + ":1:1: metadata.name: this sandbox name is also declared at " + a + ":1:1\n");
    }

    @Test
    void theMountAllowListCanBeGiven() throws IOException {
        Path web = write("web.yaml", WEB + "  mounts: [{source: /data/www, destination: /www}]\n");
        assertThat(validate(web.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(":7:21: spec.mounts[0].source: must be under an allowed mount root (/srv; see --mount-allow)");
        assertThat(validate("--mount-allow", "/srv", "--mount-allow", "/data", web.toString())).isZero();
    }

    @Test
    void anEmptyFileIsInvalid() throws IOException {
        Path empty = write("empty.yaml", "");
        assertThat(validate(empty.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo(empty + ":1:1: no manifest in this file (delete the file to remove its sandboxes)\n");
    }

    @Test
    void aFileNamedTwiceIsCheckedOnce() throws IOException {
        Path web = write("web.yaml", WEB);
        assertThat(validate(web.toString(), dir.toString(), web.toString())).isZero();
        assertThat(out.toString()).isEqualTo("1 file, 1 sandbox valid\n");
    }

    @Test
    void helpShowsAnExample() {
        assertThat(validate("--help")).isZero();
        assertThat(out.toString()).contains("sandlot validate manifests/", "--mount-allow", "FILE:LINE:COL");
    }

    @Test
    void validateIsASubcommandOfSandlot() {
        assertThat(new CommandLine(new Main()).getSubcommands()).containsKey("validate");
    }

    @Test
    void fileNamesCannotForgeOutputLines() throws IOException {
        Path evil = write("evil\nx.yaml:1:1: ok.yaml", "x: [");
        assertThat(validate(evil.toString())).isEqualTo(1);
        assertThat(err.toString().lines()).hasSize(1);
    }

    private static String dependingOn(String name, String... dependencies) {
        return WEB.replace("name: web", "name: " + name) + "  dependsOn: [" + String.join(", ", dependencies) + "]\n";
    }

    @Test
    void aFolderWithADependencyCycleIsInvalidAtEachDependsOnItem() throws IOException {
        Path a = write("a.yaml", dependingOn("a", "b"));
        Path b = write("b.yaml", dependingOn("b", "a"));

        assertThat(validate(dir.toString())).isEqualTo(1);

        assertThat(err.toString()).isEqualTo(
                a + ":7:15: spec.dependsOn[0]: dependency cycle a -> b -> a\n"
                + b + ":7:15: spec.dependsOn[0]: dependency cycle a -> b -> a\n");
        assertThat(out.toString()).isEqualTo("2 errors in 2 files (2 files checked)\n");
    }

    @Test
    void filesGivenTogetherAreOneSetSoAMissingDependencyIsNamed() throws IOException {
        Path web = write("web.yaml", dependingOn("web", "cache", "db"));
        Path cache = write("cache.yaml", WEB.replace("name: web", "name: cache"));

        assertThat(validate(web.toString(), cache.toString())).isEqualTo(1);

        assertThat(err.toString()).isEqualTo(
                web + ":7:22: spec.dependsOn[1]: no sandbox named db is declared (a missing dependency)\n");
    }

    @Test
    void aDependencyOnADocumentWithErrorsIsNotCalledMissing() throws IOException {
        write("web.yaml", dependingOn("web", "db"));
        Path db = write("db.yaml", WEB.replace("name: web", "name: db").replace("/bin/httpd, -f", ""));

        assertThat(validate(dir.toString())).isEqualTo(1);

        assertThat(err.toString()).isEqualTo(db + ":6:19: spec.process.args: must list at least the program to run\n");
    }

    @Test
    void aSingleFileIsJudgedAloneButACycleInItIsStillAnError() throws IOException {
        Path web = write("web.yaml", dependingOn("web", "db"));
        assertThat(validate(web.toString())).isZero();

        Path both = write("both.yaml", dependingOn("a", "b") + "---\n" + dependingOn("b", "a"));
        assertThat(validate(both.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(both + ":7:15: spec.dependsOn[0]: dependency cycle a -> b -> a\n",
                both + ":15:15: spec.dependsOn[0]: dependency cycle a -> b -> a\n");
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
