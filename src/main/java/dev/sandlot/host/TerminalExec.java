package dev.sandlot.host;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code runsc exec -detach -console-socket} with sandlot at the terminal end, as {@code kubectl
 * exec -it} and {@code podman exec -it} do.
 *
 * <p>How runsc does it: with {@code -console-socket} (honoured only with {@code -detach}) the
 * {@code runsc exec} we start makes a pseudo-terminal, sends its master over the console socket,
 * starts a second {@code runsc exec} (the "exec child") as session leader on the pty's slave, waits
 * until that child wrote the pid file, and exits 0. The exec child runs the command in the sandbox,
 * forwards the signals the pty gives it (SIGINT from ^C, SIGWINCH) to the command, and exits with
 * the command's exit code. Orphaned, it is reparented to sandlot, the child subreaper, which reaps
 * it and hands over that exit code ({@link ExitCodes}).
 *
 * <p>Meanwhile sandlot copies its stdin to the master and the master to its stdout on two threads,
 * with its own terminal in raw mode (restored in a finally block and by a shutdown hook on SIGINT
 * or SIGTERM), and sets the pty's size from its own at the start and on every SIGWINCH.
 */
public final class TerminalExec {
    /** How long the launching {@code runsc exec} may take to hand over the terminal and exit. */
    static final Duration LAUNCH_TIMEOUT = Duration.ofSeconds(60);
    /** How long the output may keep coming once the command exited (a process it left holds the pty). */
    static final Duration DRAIN = Duration.ofSeconds(2);
    /** How long the pty must stay quiet after the command exited for its output to count as complete. */
    static final Duration QUIET = Duration.ofMillis(200);
    private static final long POLL_MILLIS = 10;
    private static final int CHUNK = 8192;

    /** The exit codes of reaped orphans: {@link Subreaper#exitCode}. */
    @FunctionalInterface
    public interface ExitCodes {
        Integer exitCode(int pid);
    }

    /**
     * This side of the session: what is copied to and from the pty, and the terminal the user sits
     * at ({@code terminalFd}: put in raw mode and read for its size; -1 when stdin is not one), and
     * where the size comes from when stdin is not a terminal ({@code sizeFd}, -1: nowhere).
     */
    public record Io(InputStream in, OutputStream out, PrintWriter err, int terminalFd, int sizeFd) {
        /** This process's stdin and stdout. */
        public static Io standard(PrintWriter err) {
            int terminal = Terminal.isTerminal(Terminal.STDIN) ? Terminal.STDIN : -1;
            int size = terminal >= 0 ? terminal : Terminal.isTerminal(Terminal.STDOUT) ? Terminal.STDOUT : -1;
            return new Io(new FileInputStream(FileDescriptor.in), new FileOutputStream(FileDescriptor.out), err,
                    terminal, size);
        }
    }

    private final ProcessRunner runner;
    private final ExitCodes exitCodes;
    private final Io io;
    private final boolean handleSignals;

    public TerminalExec(ProcessRunner runner, ExitCodes exitCodes, Io io) {
        this(runner, exitCodes, io, true);
    }

    TerminalExec(ProcessRunner runner, ExitCodes exitCodes, Io io, boolean handleSignals) {
        this.runner = runner;
        this.exitCodes = exitCodes;
        this.io = io;
        this.handleSignals = handleSignals;
    }

    /**
     * Runs {@code launcher} (a {@code runsc exec -detach -console-socket console.path() -pid-file
     * pidFile ...}) and relays the terminal until the command exits.
     *
     * @return the command's exit code (128+N when a signal N ended it), or the launcher's when it
     *     failed before the command started
     */
    public int run(ExecRequest launcher, ConsoleSocket console, Path pidFile) throws IOException, InterruptedException {
        Path log = console.file("runsc-exec.log");
        ExecRequest request = launcher.withOutputFile(log).withTimeout(LAUNCH_TIMEOUT);
        CompletableFuture<ExecResult> launched = new CompletableFuture<>();
        Thread launching = new Thread(() -> {
            try {
                launched.complete(runner.run(request));
            } catch (Throwable e) {
                launched.completeExceptionally(e);
            }
        }, "sandlot-exec-launch");
        launching.setDaemon(true);
        launching.start();
        FileDescriptor master = null;
        Session session = null;
        // On SIGINT/SIGTERM/SIGHUP the JVM runs its hooks, not our finally: restore and clean up there too.
        AtomicReference<Session> current = new AtomicReference<>();
        Thread cleanup = new Thread(() -> {
            Session s = current.get();
            if (s != null) {
                s.restoreTerminal();
            }
            console.close();
        }, "sandlot-exec-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            master = console.receive(LAUNCH_TIMEOUT, () -> !launched.isDone()).orElse(null);
            if (master == null) {
                int code = launcherExit(launched);
                io.err().println("sandlot exec: runsc exec handed over no terminal"
                        + (code == 0 ? "" : " (it exited with " + code + ")"));
                return code == 0 ? 1 : code;
            }
            session = new Session(master);
            current.set(session);
            session.start();
            int launcherCode = launcherExit(launched);
            Integer pid = readPid(pidFile);
            if (pid == null) {
                // The exec child never got to write its pid file: it failed to start the command
                // (its message went to the terminal, and runsc exits 128 then, as without a terminal).
                session.drain(DRAIN);
                return launcherCode == 0 ? 1 : launcherCode;
            }
            int code = awaitExit(pid);
            session.drain(DRAIN);
            return code;
        } finally {
            if (session != null) {
                session.stop();
            } else if (master != null) {
                ConsoleSocket.closeQuietly(master);
            }
            printLog(log);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs, and finds everything restored
            }
        }
    }

    private int launcherExit(CompletableFuture<ExecResult> launched) throws IOException, InterruptedException {
        try {
            return launched.get(LAUNCH_TIMEOUT.toMillis() + 10_000, TimeUnit.MILLISECONDS).exitCode();
        } catch (TimeoutException e) {
            throw new IOException("runsc exec did not return within " + LAUNCH_TIMEOUT.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("runsc exec failed: " + cause, cause);
        }
    }

    private static Integer readPid(Path pidFile) throws IOException {
        try {
            String text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? null : Integer.valueOf(text);
        } catch (NoSuchFileException e) {
            return null;
        } catch (NumberFormatException e) {
            throw new IOException("runsc exec wrote an unreadable pid file " + pidFile + ": " + e.getMessage(), e);
        }
    }

    /** The exit code of the exec child, as its reaper reports it; no timeout (the user is at the other end). */
    private int awaitExit(int pid) throws IOException, InterruptedException {
        while (true) {
            Integer code = exitCodes.exitCode(pid);
            if (code != null) {
                return code;
            }
            if (ProcessHandle.of(pid).isEmpty()) {
                // Gone: reaped a moment ago, its code about to be recorded, or reaped by someone else.
                Thread.sleep(200);
                code = exitCodes.exitCode(pid);
                if (code != null) {
                    return code;
                }
                throw new IOException("runsc exec (pid " + pid + ") exited, but its exit code did not reach sandlot"
                        + " (it was not reaped by sandlot's subreaper)");
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private void printLog(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            if (!text.isEmpty()) {
                io.err().println(Text.clean(text, 4000));
            }
        } catch (IOException ignored) {
            // no log: nothing to say
        }
        io.err().flush();
    }

    /** The relay: two copying threads, raw mode, and window sizes, for one master fd. */
    private final class Session {
        private final int masterFd;
        private final FileInputStream fromMaster;
        private final FileOutputStream toMaster;
        private final AtomicBoolean restored = new AtomicBoolean(true);
        private volatile Terminal.Mode saved;
        private sun.misc.SignalHandler previousWinch;
        private Thread output;
        private volatile long lastOutput = System.nanoTime();

        Session(FileDescriptor master) throws IOException {
            this.masterFd = Terminal.fdOf(master);
            this.fromMaster = new FileInputStream(master);
            this.toMaster = new FileOutputStream(master);
        }

        void start() throws IOException {
            resize();
            if (io.terminalFd() >= 0) {
                saved = Terminal.makeRaw(io.terminalFd());
                restored.set(false);
            }
            if (handleSignals && io.sizeFd() >= 0) {
                try {
                    previousWinch = sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> resize());
                } catch (IllegalArgumentException e) {
                    // no SIGWINCH here: the size stays what it was at the start
                }
            }
            output = daemon("sandlot-exec-output", this::copyOutput);
            daemon("sandlot-exec-input", this::copyInput);
        }

        private void resize() {
            if (io.sizeFd() >= 0) {
                Terminal.windowSize(io.sizeFd()).ifPresent(size -> {
                    try {
                        Terminal.setWindowSize(masterFd, size);
                    } catch (IOException e) {
                        // the pty is gone: the session is ending
                    }
                });
            }
        }

        private void copyOutput() {
            byte[] buf = new byte[CHUNK];
            try {
                int n;
                while ((n = fromMaster.read(buf)) != -1) {
                    lastOutput = System.nanoTime();
                    io.out().write(buf, 0, n);
                    io.out().flush();
                }
            } catch (IOException e) {
                // EIO: every slave end is closed, the command and the exec child are gone
            }
        }

        private void copyInput() {
            byte[] buf = new byte[CHUNK];
            try {
                int n;
                while ((n = io.in().read(buf)) != -1) {
                    toMaster.write(buf, 0, n);
                }
                // End of our input: tell a program reading lines, as a terminal's ^D would.
                OptionalInt eof = Terminal.canonicalEof(masterFd);
                if (eof.isPresent()) {
                    toMaster.write(eof.getAsInt());
                }
            } catch (IOException e) {
                // the pty is gone, or our stdin failed: nothing more to send
            }
        }

        /**
         * Waits for the output to end: until every slave end is closed, or, as a process the command
         * left running in the sandbox may hold the pty open, until it has been quiet for a moment
         * (what the command wrote before it exited is in the pty's buffer by then), at most {@code limit}.
         */
        void drain(Duration limit) throws InterruptedException {
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            while (output.isAlive() && System.nanoTime() < deadline
                    && System.nanoTime() - Math.max(lastOutput, start) < QUIET.toNanos()) {
                output.join(POLL_MILLIS);
            }
        }

        void stop() {
            restoreTerminal();
            if (previousWinch != null) {
                sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), previousWinch);
            }
            try {
                fromMaster.close();
            } catch (IOException ignored) {
                // closed already
            }
            try {
                io.out().flush();
            } catch (IOException ignored) {
                // our stdout is gone
            }
        }

        void restoreTerminal() {
            if (saved != null && restored.compareAndSet(false, true)) {
                try {
                    Terminal.restore(io.terminalFd(), saved);
                } catch (IOException e) {
                    io.err().println("sandlot exec: " + e.getMessage() + "; run 'stty sane' to repair the terminal");
                }
            }
        }

        private Thread daemon(String name, Runnable body) {
            Thread t = new Thread(body, name);
            t.setDaemon(true);
            t.start();
            return t;
        }
    }
}
