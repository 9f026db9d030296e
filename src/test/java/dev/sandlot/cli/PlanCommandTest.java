package dev.sandlot.cli;

import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.RecordingProcessRunner;
import dev.sandlot.host.SystemProcessRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandlot plan} exit statuses (DESIGN.md §2: 0 in sync, 2 changes pending, 1 error) on an
 * empty host: runsc is the process seam's fake, which lists no containers.
 */
class PlanCommandTest {
    private static final String WEB = ValidateCommandTest.WEB;

    @TempDir
    Path dir;

    final RecordingProcessRunner runner = new RecordingProcessRunner();
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    Path manifests;

    @BeforeEach
    void emptyHost() throws IOException {
        TestHooks.setRunnerFactory(() -> runner);
        runner.whenArgv("list", "--format", "json").thenReturn(ok("null"));
        manifests = Files.createDirectories(dir.resolve("manifests"));
        Files.writeString(dir.resolve("config.yaml"), "# none\n");
    }

    @AfterEach
    void realSeam() {
        TestHooks.setRunnerFactory(SystemProcessRunner::new);
    }

    private int plan() {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "plan",
                "--config", dir.resolve("config.yaml").toString(), "--manifests", manifests.toString(),
                "--state-dir", dir.resolve("state").toString(), "--run-dir", dir.resolve("run").toString());
    }

    @Test
    void anInvalidManifestExitsOneWithItsLocatedError() throws IOException {
        Path bad = Files.writeString(manifests.resolve("web.yaml"), WEB.replace("name: web", "name: Web"));

        assertThat(plan()).isEqualTo(1);

        assertThat(err.toString()).startsWith(bad + ":3:18: metadata.name: must be 1 to 32 characters");
        assertThat(runner.commandLines()).as("plan only reads").allSatisfy(l -> assertThat(l).contains(" list "));
    }

    @Test
    void aFailingRunscExitsOneNamingIt() throws IOException {
        Files.writeString(manifests.resolve("web.yaml"), WEB);
        runner.whenArgv("list", "--format", "json").thenReturn(fail(1, "permission denied"));

        assertThat(plan()).isEqualTo(1);

        assertThat(err.toString()).startsWith("sandlot plan: ").contains("runsc list");
    }

    @Test
    void aNewSandboxIsAPendingChangeAndNothingIsInSync() throws IOException {
        assertThat(plan()).isZero();
        assertThat(out.toString()).contains("in sync: 0 sandboxes, nothing to do");

        Files.writeString(manifests.resolve("web.yaml"), WEB);
        assertThat(plan()).isEqualTo(2);
        assertThat(out.toString()).contains("web").contains("1 sandboxes to change");
        assertThat(dir.resolve("state")).as("plan touches nothing").doesNotExist();
    }
}
