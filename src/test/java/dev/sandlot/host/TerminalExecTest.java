package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay against a fake {@code runsc exec -detach -console-socket} that does what runsc does:
 * makes a pty, sends its master over the console socket, writes the exec child's pid file and
 * exits 0, while the "command" runs on the pty's slave and its exit code arrives through the reaper.
 */
class TerminalExecTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    @TempDir
    Path tmp;

    private final AtomicReference<Integer> exitCode = new AtomicReference<>();
    private final StringWriter errText = new StringWriter();
    private final PrintWriter err = new PrintWriter(errText, true);

    private Integer reaped(int pid) {
        return pid == SELF ? exitCode.get() : null;
    }

    private static String after(List<String> argv, String flag) {
        return argv.get(argv.indexOf(flag) + 1);
    }

    private ExecRequest launcher(ConsoleSocket console, Path pidFile) {
        Runsc runsc = new Runsc(null, "runsc", Path.of("/run/sandlot/runsc"), List.of());
        return runsc.terminalExecRequest("sandlot-web.0a1b2c3d", List.of("/bin/sh"), console.path(), pidFile, "xterm");
    }

    /** A fake runsc whose command reads a line, answers with it and the terminal size, and exits 5. */
    private ProcessRunner fakeRunsc() {
        return request -> {
            List<String> argv = request.argv();
            Pty pty = new Pty();
            ConsoleSocketTest.send(Path.of(after(argv, "-console-socket")), pty.master, "pty-master");
            Thread command = new Thread(() -> {
                try (pty) {
                    String line = readLine(new FileInputStream(pty.slave.getFD()));
                    WindowSize size = Terminal.windowSize(pty.slaveFd).orElse(new WindowSize(0, 0));
                    new FileOutputStream(pty.slave.getFD()).write(("got " + line + " in " + size.rows() + "x"
                            + size.cols() + "\n").getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    exitCode.set(5);
                }
            });
            command.setDaemon(true);
            command.start();
            Files.writeString(Path.of(after(argv, "-pid-file")), Integer.toString(SELF));
            return ExecResult.ok("");
        };
    }

    private static String readLine(FileInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.write(c);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Test
    void relaysBothWaysSetsTheSizeAndReturnsTheCommandsExitCode() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Pty user = new Pty(); ConsoleSocket console = ConsoleSocket.open(tmp)) {
            Terminal.setWindowSize(user.masterFd, new WindowSize(40, 100));
            TerminalExec.Io io = new TerminalExec.Io(new ByteArrayInputStream("ping\n".getBytes(StandardCharsets.UTF_8)),
                    out, err, user.slaveFd, user.slaveFd);
            Path pidFile = console.file("exec.pid");

            int code = new TerminalExec(fakeRunsc(), this::reaped, io, false).run(launcher(console, pidFile), console,
                    pidFile);

            assertThat(code).isEqualTo(5);
            // The pty echoes the input and turns \n into \r\n: the command really had a terminal.
            assertThat(out.toString(StandardCharsets.UTF_8)).contains("ping\r\n").contains("got ping in 40x100\r\n");
            assertThat(Terminal.canonicalEof(user.slaveFd)).as("the user's terminal is out of raw mode").isPresent();
        }
        assertThat(errText.toString()).isEmpty();
    }

    @Test
    void aLauncherThatHandsOverNoTerminalFailsWithItsMessage() throws Exception {
        ProcessRunner failing = request -> {
            Files.writeString(request.outputFile(), "loading container: file does not exist\n");
            return ExecResult.failed(128, "");
        };
        try (ConsoleSocket console = ConsoleSocket.open(tmp)) {
            Path pidFile = console.file("exec.pid");
            TerminalExec.Io io = new TerminalExec.Io(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                    err, -1, -1);
            long start = System.nanoTime();

            int code = new TerminalExec(failing, this::reaped, io, false).run(launcher(console, pidFile), console, pidFile);

            assertThat(code).isEqualTo(128);
            assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(10).toNanos());
        }
        assertThat(errText.toString()).contains("handed over no terminal").contains("file does not exist");
    }

    @Test
    void anExecChildThatNeverStartedTheCommandEndsWithTheLaunchersCode() throws Exception {
        ProcessRunner noChild = request -> {
            Pty pty = new Pty();
            ConsoleSocketTest.send(Path.of(after(request.argv(), "-console-socket")), pty.master, "pty-master");
            new FileOutputStream(pty.slave.getFD()).write("exec failed: no such file\n".getBytes(StandardCharsets.UTF_8));
            pty.close();
            return ExecResult.failed(1, "");
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ConsoleSocket console = ConsoleSocket.open(tmp)) {
            Path pidFile = console.file("exec.pid");
            TerminalExec.Io io = new TerminalExec.Io(new ByteArrayInputStream(new byte[0]), out, err, -1, -1);

            int code = new TerminalExec(noChild, this::reaped, io, false).run(launcher(console, pidFile), console, pidFile);

            assertThat(code).isEqualTo(1);
        }
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("exec failed: no such file\r\n");
    }
}
