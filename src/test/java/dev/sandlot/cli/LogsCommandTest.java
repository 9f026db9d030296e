package dev.sandlot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sandlot logs NAME [--follow]}: the log file of DESIGN.md §2, exit 0, or 1 for an unknown name. */
@Timeout(20)
class LogsCommandTest {
    @TempDir
    Path dir;

    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final StringWriter err = new StringWriter();

    private int logs(String... args) {
        LogsCommand command = new LogsCommand();
        command.out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(command);
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 4];
        all[0] = "--config";
        all[1] = dir.resolve("config.yaml").toString();
        all[2] = "--state-dir";
        all[3] = dir.resolve("state").toString();
        System.arraycopy(args, 0, all, 4, args.length);
        return cli.execute(all);
    }

    private Path log(String name, String content) throws IOException {
        Path file = Files.createDirectories(dir.resolve("state/logs")).resolve(name + ".log");
        return Files.writeString(file, content);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void await(Supplier<Boolean> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!condition.get()) {
            assertThat(Instant.now()).as("waited 10 s").isBefore(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void printsTheWholeLogAndExitsZero() throws IOException {
        Files.writeString(dir.resolve("config.yaml"), "# none\n");
        log("web", "started\nlistening on :8000\n");

        assertThat(logs("web")).isZero();

        assertThat(printed()).isEqualTo("started\nlistening on :8000\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void anUnknownNameExitsOneWithAClearMessage() throws IOException {
        Files.writeString(dir.resolve("config.yaml"), "# none\n");
        log("web", "started\n");

        assertThat(logs("db")).isEqualTo(1);

        assertThat(err.toString()).isEqualTo("sandlot logs: no logs for db in " + dir.resolve("state/logs") + "\n");
        assertThat(printed()).isEmpty();
    }

    @Test
    void somethingThatIsNoSandboxNameExitsOneWithoutLookingForAFile() throws IOException {
        Files.writeString(dir.resolve("config.yaml"), "# none\n");

        assertThat(logs("../../etc/passwd")).isEqualTo(1);

        assertThat(err.toString()).isEqualTo("sandlot logs: not a sandbox name\n");
    }

    @Test
    void followKeepsPrintingWhatIsAppendedAndStartsOverAfterARotation() throws Exception {
        Files.writeString(dir.resolve("config.yaml"), "# none\n");
        Path file = log("web", "one\n");
        AtomicInteger exit = new AtomicInteger(-1);
        Thread follower = new Thread(() -> exit.set(logs("--follow", "web")));
        follower.start();
        try {
            await(() -> printed().equals("one\n"));
            Files.writeString(file, "two\n", StandardOpenOption.APPEND);
            await(() -> printed().equals("one\ntwo\n"));
            Files.writeString(file, "3\n", StandardOpenOption.TRUNCATE_EXISTING); // rotated: a shorter file
            await(() -> printed().equals("one\ntwo\n3\n"));
            assertThat(follower.isAlive()).as("follows until interrupted").isTrue();
        } finally {
            follower.interrupt();
            follower.join(5000);
        }
        assertThat(follower.isAlive()).isFalse();
    }

    @Test
    void followOnAnUnknownNameExitsOneAtOnce() throws IOException {
        Files.writeString(dir.resolve("config.yaml"), "# none\n");

        assertThat(logs("-f", "db")).isEqualTo(1);

        assertThat(err.toString()).startsWith("sandlot logs: no logs for db");
    }
}
