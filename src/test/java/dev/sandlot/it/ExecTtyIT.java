package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.Pty;
import dev.sandlot.host.Terminal;
import dev.sandlot.host.WindowSize;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code sandlot exec} with and without a terminal, on real runsc, CNI and netns: {@code bin/sandlot
 * exec} as a child process, under a real pseudo-terminal where the test needs one ({@code script}
 * from util-linux, or a pty of the test's own made the controlling terminal by {@code setsid -c}).
 *
 * <p>What "a terminal inside" looks like under gVisor: the command's stdio are host pty fds the
 * sandbox imported, so {@code [ -t 0 ]} holds and {@code stty} works, but /proc/self/fd/0 reads
 * {@code host:[N]}, not /dev/pts/N, and {@code tty} answers "not a tty" (runsc 20221219).
 */
class ExecTtyIT {
    private static final long WAIT_SECONDS = 60;
    private TestHost host;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost("xtty", "slx0", 234);
        host.writeManifest("shell", "");
        TestHost.Run apply = host.sandlot("apply");
        assertThat(apply.exit()).as(apply.out() + apply.err()).isZero();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (Process p : started) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } finally {
            host.close();
        }
    }

    private List<String> exec(String... args) {
        List<String> argv = new ArrayList<>(List.of("bin/sandlot", "exec"));
        argv.addAll(host.options());
        argv.addAll(List.of(args));
        return argv;
    }

    private Process start(ProcessBuilder builder) throws IOException {
        Process p = builder.start();
        started.add(p);
        return p;
    }

    private static int await(Process p, Path output) throws Exception {
        if (!p.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + WAIT_SECONDS + " s; output so far: "
                    + (output == null ? "" : Files.readString(output)));
        }
        return p.exitValue();
    }

    private static String quote(List<String> argv) {
        return argv.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
    }

    @Test
    void aTerminalInsideWithTheCallersSizeTermAndTheCommandsExitCode() throws Exception {
        String inner = "tty; [ -t 0 ] && echo stdin-is-a-terminal; [ -t 1 ] && echo stdout-is-a-terminal;"
                + " echo TERM=$TERM; stty size; exit 5";
        String outer = "stty rows 40 cols 100; exec " + quote(exec("shell", "--", "/bin/sh", "-c", inner));
        Path output = host.root.resolve("tty.out");
        ProcessBuilder builder = new ProcessBuilder("script", "-qec", outer, "/dev/null")
                .redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("TERM", "xterm-256color");
        Process script = start(builder);
        try (OutputStream keepOpen = script.getOutputStream()) {
            // stdin stays open (no EOF) until the command is done, as a user at a terminal would
            int exit = await(script, output);
            String text = Files.readString(output);

            assertThat(exit).as(text).isEqualTo(5);
            assertThat(text).contains("stdin-is-a-terminal\r\n", "stdout-is-a-terminal\r\n", "TERM=xterm-256color\r\n",
                    "40 100\r\n");
        }
    }

    /**
     * {@code bin/sandlot exec ARGS} with the pty's slave as its stdio and controlling terminal
     * ({@code setsid --ctty}: the JVM is the session leader, so SIGWINCH reaches it); what the
     * terminal shows is collected in {@code screen}. The JVM's temp dir is {@code tmp}.
     */
    private Process startOnPty(Pty pty, StringBuffer screen, Path tmp, String... args) throws IOException {
        File slave = new File(pty.slaveName);
        List<String> argv = new ArrayList<>(List.of("setsid", "--ctty", "--wait"));
        argv.addAll(exec(args));
        ProcessBuilder builder = new ProcessBuilder(argv).redirectInput(Redirect.from(slave))
                .redirectOutput(Redirect.to(slave)).redirectError(Redirect.to(slave));
        builder.environment().put("TERM", "xterm");
        builder.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp); // keeps bin/sandlot's JVM options
        Thread reader = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (FileInputStream in = new FileInputStream(pty.master)) {
                int n;
                while ((n = in.read(buf)) != -1) {
                    screen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the pty was closed
            }
        }, "exec-tty-it-screen");
        reader.setDaemon(true);
        Process exec = start(builder);
        reader.start();
        return exec;
    }

    @Test
    void theSizeFollowsTheCallersTerminalAndItIsRestoredAfterwards() throws Exception {
        try (Pty pty = new Pty()) {
            Terminal.setWindowSize(pty.masterFd, new WindowSize(40, 100));
            StringBuffer screen = new StringBuffer();
            Path tmp = Files.createDirectories(host.root.resolve("tmp"));
            Process exec = startOnPty(pty, screen, tmp,
                    "shell", "--", "/bin/sh", "-c", "stty size; read go; echo read:$go; stty size; exit 6");

            awaitScreen(screen, "40 100\r\n");
            Terminal.setWindowSize(pty.masterFd, new WindowSize(50, 120)); // SIGWINCH to sandlot
            Thread.sleep(500);
            new FileOutputStream(pty.master).write("go\r".getBytes(StandardCharsets.UTF_8)); // raw: Enter sends \r
            int exit = await(exec, null);
            awaitScreen(screen, "50 120\r\n");

            assertThat(exit).as(screen.toString()).isEqualTo(6);
            assertThat(screen.toString()).contains("read:go\r\n");
            assertThat(Terminal.canonicalEof(pty.slaveFd)).as("the caller's terminal is out of raw mode").isPresent();
            try (var left = Files.list(tmp)) {
                assertThat(left).as("the console socket's private dir is gone").isEmpty();
            }
        }
    }

    @Test
    void aSandlotKilledMidSessionRestoresTheTerminalAndLeavesNoSocketBehind() throws Exception {
        try (Pty pty = new Pty()) {
            StringBuffer screen = new StringBuffer();
            Path tmp = Files.createDirectories(host.root.resolve("tmp"));
            Process exec = startOnPty(pty, screen, tmp, "shell", "--", "/bin/sh", "-c", "echo started; exec sleep 100");
            awaitScreen(screen, "started\r\n");
            assertThat(Terminal.canonicalEof(pty.slaveFd)).as("raw mode during the session").isEmpty();

            exec.destroy(); // SIGTERM to the JVM (setsid and bin/sandlot exec'd it)
            int exit = await(exec, null);

            assertThat(exit).isEqualTo(143);
            assertThat(Terminal.canonicalEof(pty.slaveFd)).as("the caller's terminal is out of raw mode").isPresent();
            try (var left = Files.list(tmp)) {
                assertThat(left).as("the console socket's private dir is gone").isEmpty();
            }
        }
    }

    private static void awaitScreen(StringBuffer screen, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!screen.toString().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + text.strip() + "' never appeared; the terminal shows: " + screen);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void withoutATerminalPipesPassThroughAndTheExitCodeReturns() throws Exception {
        Path output = host.root.resolve("pipe.out");
        Process exec = start(new ProcessBuilder(exec("shell", "--", "/bin/sh", "-c",
                "cat; [ -t 0 ] || echo stdin-is-not-a-terminal; exit 3"))
                .redirectErrorStream(true).redirectOutput(output.toFile()));
        try (OutputStream in = exec.getOutputStream()) {
            in.write("piped input\n".getBytes(StandardCharsets.UTF_8));
        }
        int exit = await(exec, output);
        String text = Files.readString(output);

        assertThat(exit).as(text).isEqualTo(3);
        assertThat(text).contains("piped input\nstdin-is-not-a-terminal\n").doesNotContain("\r");
    }

    @Test
    void dashTGivesATerminalEvenToPipedInput() throws Exception {
        Path output = host.root.resolve("forced.out");
        Process exec = start(new ProcessBuilder(exec("-t", "shell", "--", "/bin/sh", "-c",
                "read line; echo got:$line; [ -t 0 ] && echo stdin-is-a-terminal; cat; echo cat-ended; exit 4"))
                .redirectErrorStream(true).redirectOutput(output.toFile()));
        try (OutputStream in = exec.getOutputStream()) {
            in.write("hello\n".getBytes(StandardCharsets.UTF_8));
        }
        // The end of the piped input reaches cat as the terminal's EOF character.
        int exit = await(exec, output);
        String text = Files.readString(output);

        assertThat(exit).as(text).isEqualTo(4);
        assertThat(text).contains("got:hello\r\n", "stdin-is-a-terminal\r\n", "cat-ended\r\n");
    }
}
