package dev.sandlot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.RecordingProcessRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Without a daemon, the one-shot commands that start or stop sandboxes cap the sandbox logs the
 * way the daemon does (the host is faked: runsc and ip answer with nothing running).
 */
class ConvergeLogRotationTest {
    @TempDir
    Path dir;

    private Supplier<dev.sandlot.host.ProcessRunner> realRunner;
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void fakeHost() {
        realRunner = Context.runnerFactory;
        Context.runnerFactory = () -> new RecordingProcessRunner().otherwise(RecordingProcessRunner.ok("[]"));
    }

    @AfterEach
    void realHost() {
        Context.runnerFactory = realRunner;
    }

    @Test
    void applyRotatesALogOverTheCap() throws IOException {
        Path log = oversizedLog();
        assertThat(run(new ApplyCommand())).as(err.toString()).isZero();
        assertThat(log.resolveSibling("web.log.1")).exists();
        assertThat(log).isEmptyFile();
    }

    @Test
    void downRotatesALogOverTheCap() throws IOException {
        Path log = oversizedLog();
        run(new DownCommand(), "--all");
        assertThat(log.resolveSibling("web.log.1")).exists();
        assertThat(log).isEmptyFile();
    }

    private Path oversizedLog() throws IOException {
        Path log = Files.createDirectories(dir.resolve("state/logs")).resolve("web.log");
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "rw")) {
            f.setLength((10L << 20) + 1); // sparse: no 10 MiB written
        }
        return log;
    }

    private int run(Object command, String... more) throws IOException {
        Files.createDirectories(dir.resolve("manifests"));
        Path config = Files.writeString(dir.resolve("config.yaml"), "# nothing set\n");
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        String[] args = {"--config", config.toString(), "--manifests", dir.resolve("manifests").toString(),
            "--state-dir", dir.resolve("state").toString(), "--run-dir", dir.resolve("run").toString()};
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return cli.execute(all);
    }
}
