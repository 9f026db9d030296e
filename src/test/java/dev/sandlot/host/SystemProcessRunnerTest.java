package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs real small programs (sh, cat, head, env) through the real runner. */
@Timeout(60)
class SystemProcessRunnerTest {
    private final SpawnedPids spawned = new SpawnedPids();
    private final SystemProcessRunner runner = new SystemProcessRunner(spawned);

    private static ExecRequest sh(String script) {
        return new ExecRequest(List.of("/bin/sh", "-c", script), ExecRequest.HOST_ENV, null, Duration.ofSeconds(20),
                null, ExecRequest.DEFAULT_MAX_OUTPUT);
    }

    @Test
    void capturesStdoutStderrAndExitCodeSeparately() throws IOException {
        ExecResult r = runner.run(sh("echo out; echo err >&2; exit 3"));

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdoutText()).isEqualTo("out\n");
        assertThat(r.stderrText()).isEqualTo("err\n");
        assertThat(r.truncated()).isFalse();
    }

    @Test
    void environmentIsExactlyTheRequestedOne() throws IOException {
        ExecResult r = runner.run(new ExecRequest(List.of("/usr/bin/env"), Map.of("A", "1", "PATH", "/bin"), null,
                Duration.ofSeconds(10), null, 4096));

        assertThat(r.stdoutText().lines().sorted().toList()).containsExactly("A=1", "PATH=/bin");
    }

    @Test
    void stdinIsWrittenAndClosed() throws IOException {
        ExecResult r = runner.run(new ExecRequest(List.of("/bin/cat"), ExecRequest.HOST_ENV,
                "hello\n".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10), null, 4096));

        assertThat(r.stdoutText()).isEqualTo("hello\n");
    }

    @Test
    void withoutStdinTheProgramReadsEndOfFile() throws IOException {
        ExecResult r = runner.run(ExecRequest.of(List.of("/bin/cat")).withEnv(ExecRequest.HOST_ENV)
                .withTimeout(Duration.ofSeconds(5)));

        assertThat(r.succeeded()).isTrue();
        assertThat(r.stdout()).isEmpty();
    }

    @Test
    void aProgramThatIgnoresALargeStdinDoesNotBlock() throws IOException {
        byte[] big = new byte[10 << 20];
        ExecResult r = runner.run(sh("exit 4").withStdin(big));

        assertThat(r.exitCode()).isEqualTo(4);
    }

    @Test
    void hundredMegabytesOfStdoutAreBoundedAndDrained() throws IOException {
        long start = System.nanoTime();
        ExecResult r = runner.run(sh("head -c 100000000 /dev/zero; echo tail >&2").withMaxOutputBytes(1 << 20));

        assertThat(r.succeeded()).isTrue();
        assertThat(r.stdout()).hasSize(1 << 20);
        assertThat(r.truncated()).isTrue();
        assertThat(r.stderrText()).isEqualTo("tail\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aStderrFloodDoesNotDeadlock() throws IOException {
        ExecResult r = runner.run(sh("head -c 50000000 /dev/zero >&2; echo done").withMaxOutputBytes(65536));

        assertThat(r.stdoutText()).isEqualTo("done\n");
        assertThat(r.stderr()).hasSize(65536);
        assertThat(r.truncated()).isTrue();
    }

    @Test
    void timeoutKillsTheWholeProcessTree() throws IOException, InterruptedException {
        String marker = "1" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000) + "7";
        ExecRequest request = sh("sleep " + marker + " & sleep " + marker + "; echo never")
                .withTimeout(Duration.ofMillis(500));

        long start = System.nanoTime();
        assertThatThrownBy(() -> runner.run(request))
                .isInstanceOf(ProcessTimeoutException.class)
                .hasMessageContaining("sh did not finish within 500 ms")
                .hasMessageContaining("2 process(es)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        // Killed processes may linger as zombies until PID 1 reaps them; none may still run.
        assertThat(liveProcessesWithArgs("sleep", marker)).isEmpty();
    }

    @Test
    void outputFileGetsStdoutAndStderrAppended(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("log");
        Files.writeString(log, "before\n");

        ExecResult r1 = runner.run(sh("echo out; echo err >&2").withOutputFile(log));
        ExecResult r2 = runner.run(sh("echo again").withOutputFile(log));

        assertThat(r1.succeeded()).isTrue();
        assertThat(r1.stdout()).isEmpty();
        assertThat(r2.succeeded()).isTrue();
        assertThat(Files.readString(log)).isEqualTo("before\nout\nerr\nagain\n");
    }

    @Test
    void aMissingBinaryIsAClearIOException() {
        assertThatThrownBy(() -> runner.run(ExecRequest.of(List.of("/nonexistent/sandlot-no-such-tool"))))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(ProcessTimeoutException.class)
                .hasMessageContaining("cannot start /nonexistent/sandlot-no-such-tool")
                .hasMessageContaining("installed");
    }

    @Test
    void spawnedPidsKnowsTheChildWhileItRunsAndForgetsItAfter() throws Exception {
        List<Long> seen = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                runner.run(sh("sleep 0.5"));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        for (int i = 0; i < 200 && seen.isEmpty(); i++) {
            ProcessHandle.current().children().filter(p -> spawned.contains(p.pid())).forEach(p -> seen.add(p.pid()));
            Thread.sleep(5);
        }
        t.join(10_000);

        assertThat(seen).hasSize(1);
        for (int i = 0; i < 200 && spawned.size() > 0; i++) {
            Thread.sleep(5);
        }
        assertThat(spawned.size()).isZero();
        assertThat(spawned.contains(seen.get(0))).isFalse();
    }

    private static List<Long> liveProcessesWithArgs(String program, String arg) throws InterruptedException {
        ProcFs proc = new ProcFs();
        List<Long> live = new ArrayList<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            live.clear();
            try (var dirs = Files.list(Path.of("/proc"))) {
                for (Path d : (Iterable<Path>) dirs::iterator) {
                    String name = d.getFileName().toString();
                    if (!name.chars().allMatch(Character::isDigit)) {
                        continue;
                    }
                    try {
                        String cmdline = new String(Files.readAllBytes(d.resolve("cmdline")), StandardCharsets.UTF_8);
                        if (cmdline.equals(program + "\0" + arg + "\0") && proc.isRunning(Integer.parseInt(name))) {
                            live.add(Long.parseLong(name));
                        }
                    } catch (IOException e) {
                        // exited while we looked
                    }
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            if (live.isEmpty()) {
                return live;
            }
            Thread.sleep(20);
        }
        return live;
    }
}
