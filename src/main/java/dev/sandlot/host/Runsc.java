package dev.sandlot.host;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The runsc command line. Every call is {@code runsc --root <root> <flags...> <subcommand> ...
 * -- <id>}, with only PATH in its environment; ids are validated and always follow {@code --}.
 *
 * <p>Teardown calls are idempotent: killing a container that is missing or already stopped and
 * deleting a missing one succeed. Whether a sandbox still runs is judged from /proc, because runsc
 * reports a killed sandbox as running until its zombie is reaped.
 */
public final class Runsc {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}");
    private static final Pattern SIGNAL = Pattern.compile("[A-Z0-9+-]{1,12}");
    /** A terminal name for TERM: no comma, which runsc's -env would split on. */
    private static final Pattern TERM = Pattern.compile("[A-Za-z0-9._+-]{1,64}");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    /** How much of runsc's own error output from a failed run goes into the exception message. */
    private static final int RUN_ERROR_BYTES = 4096;
    private static final long POLL_MILLIS = 10;

    private final ProcessRunner runner;
    private final String runscPath;
    private final Path root;
    private final List<String> flags;
    private final ProcFs proc;
    private final Duration timeout;

    public Runsc(ProcessRunner runner, String runscPath, Path root, List<String> flags) {
        this(runner, runscPath, root, flags, new ProcFs(), DEFAULT_TIMEOUT);
    }

    public Runsc(ProcessRunner runner, String runscPath, Path root, List<String> flags, ProcFs proc,
            Duration timeout) {
        this.runner = runner;
        this.runscPath = runscPath;
        this.root = root;
        this.flags = List.copyOf(flags);
        for (String f : this.flags) {
            if (!f.startsWith("-")) {
                throw new IllegalArgumentException("runsc flag '" + Text.clean(f, 80) + "' does not start with '-';"
                        + " write flags with values as --name=value");
            }
        }
        this.proc = proc;
        this.timeout = timeout;
    }

    /** Every container in this root, from one {@code runsc list}; runsc prints {@code null} for none. */
    public List<RunscContainer> list() throws HostException {
        ExecResult r = exec(List.of("list", "--format", "json"), null);
        if (!r.succeeded()) {
            throw failure("runsc list (root " + root + ")", r, "check that runsc works: `sandlot doctor`");
        }
        JsonNode json;
        try {
            json = Json.parse(r.stdout());
        } catch (IOException e) {
            throw new HostException("runsc list (root " + root + ") printed something that is not JSON: '"
                    + Text.clean(r.stdout(), 200) + "'; check the runsc version with `sandlot doctor`", e);
        }
        if (json.isNull()) {
            return List.of();
        }
        if (!json.isArray()) {
            throw new HostException("runsc list (root " + root + ") printed JSON that is not a list: '"
                    + Text.clean(r.stdout(), 200) + "'");
        }
        List<RunscContainer> containers = new ArrayList<>();
        for (JsonNode c : json) {
            containers.add(container(c, "runsc list"));
        }
        return containers;
    }

    /**
     * The id of every container in this root, from {@code runsc list -quiet}, which loads none of
     * them: a full {@link #list()} also asks each running sandbox whether its container lives (a
     * signal-0 RPC per sandbox, ~0.3 ms of the sandbox's CPU each, and runsc's own ~0.2 ms).
     */
    public List<String> listIds() throws HostException {
        ExecResult r = exec(List.of("list", "-quiet"), null);
        if (!r.succeeded()) {
            throw failure("runsc list -quiet (root " + root + ")", r, "check that runsc works: `sandlot doctor`");
        }
        return r.stdoutText().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    /** The container's state, or empty if runsc does not know it. */
    public Optional<RunscContainer> state(String id) throws HostException {
        ExecResult r = exec(List.of("state"), id);
        if (!r.succeeded()) {
            if (isMissing(r)) {
                return Optional.empty();
            }
            throw failure("runsc state " + id, r, "check that runsc works: `sandlot doctor`");
        }
        try {
            return Optional.of(container(Json.parse(r.stdout()), "runsc state " + id));
        } catch (IOException e) {
            throw new HostException("runsc state " + id + " printed something that is not JSON: '"
                    + Text.clean(r.stdout(), 200) + "'", e);
        }
    }

    /**
     * {@code runsc run -detach -bundle <dir> -- <id>}, with runsc's output and then the sandbox's
     * appended to {@code logFile}. When it fails, the message carries what runsc wrote to the log
     * during this call. A failed run may leave a created container behind: tear it down with
     * {@link #kill} and {@link #delete} as usual.
     */
    public void run(String id, Path bundleDir, Path logFile) throws HostException {
        run(id, bundleDir, logFile, null);
    }

    /**
     * {@code run -detach}, with runsc writing the sandbox's pid to {@code pidFile} (when not null)
     * before it returns: a process that exits at once is still known by its pid.
     */
    public void run(String id, Path bundleDir, Path logFile, Path pidFile) throws HostException {
        validateId(id);
        long before = sizeOf(logFile);
        ExecResult r;
        List<String> sub = new ArrayList<>(List.of("run", "-detach", "-bundle", bundleDir.toString()));
        if (pidFile != null) {
            sub.addAll(List.of("-pid-file", pidFile.toString()));
        }
        try {
            r = runner.run(request(sub, id).withOutputFile(logFile));
        } catch (ProcessTimeoutException e) {
            throw new HostException("runsc run of sandbox " + id + " timed out: " + e.getMessage()
                    + "; runsc output: " + newOutput(logFile, before), e);
        } catch (IOException e) {
            throw new HostException("cannot run runsc for sandbox " + id + ": " + e.getMessage(), e);
        }
        if (!r.succeeded()) {
            throw new HostException("runsc run of sandbox " + id + " failed (exit " + r.exitCode() + "): "
                    + newOutput(logFile, before) + " [bundle " + bundleDir + ", log " + logFile + "]");
        }
    }

    /**
     * Sends a signal (a name such as TERM or KILL, or a number). A missing container, a stopped one,
     * or one whose process has already exited, is success.
     */
    public void kill(String id, String signal) throws HostException {
        if (signal == null || !SIGNAL.matcher(signal).matches()) {
            throw new IllegalArgumentException("invalid signal: " + signal);
        }
        ExecResult r = exec(List.of("kill"), id, signal);
        if (r.succeeded()) {
            return;
        }
        Optional<RunscContainer> c = state(id);
        if (c.isEmpty() || !c.get().isRunning() || !proc.isRunning(c.get().pid())) {
            return;
        }
        throw failure("runsc kill " + id + " " + signal, r, "the sandbox is still running (pid " + c.get().pid()
                + "); try signal KILL");
    }

    /**
     * Deletes the container (its state in the root, its cgroup). A missing one is success; one that
     * runsc still counts as running is deleted with {@code -force}.
     */
    public void delete(String id) throws HostException {
        ExecResult r = exec(List.of("delete"), id);
        if (r.succeeded() || isMissing(r)) {
            return;
        }
        ExecResult forced = exec(List.of("delete", "-force"), id);
        if (forced.succeeded() || isMissing(forced) || state(id).isEmpty()) {
            return;
        }
        throw failure("runsc delete -force " + id, forced, "check `runsc --root " + root + " list`");
    }

    /**
     * Waits until the sandbox process is gone or a zombie (its work is over; the reaper will collect
     * it). Polls /proc every 10 ms; returns false if it still runs at the timeout (or when
     * interrupted, with the interrupt flag kept).
     */
    public boolean waitStopped(int pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!proc.isRunning(pid)) {
                return true;
            }
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !proc.isRunning(pid);
            }
        }
    }

    public Path root() {
        return root;
    }

    /**
     * {@code runsc exec ID ARGV...} attached to this terminal ({@code sandlot exec}); returns the
     * command's exit code.
     */
    public int execAttached(String id, List<String> command) throws HostException, InterruptedException {
        ExecRequest request = request(List.of("exec"), id, command.toArray(String[]::new));
        try {
            return runner.runAttached(request);
        } catch (IOException e) {
            throw new HostException("runsc exec " + id + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * {@code runsc exec -detach -console-socket SOCKET -pid-file FILE [-env TERM=...] -- ID ARGV...}:
     * the command on a pseudo-terminal whose master sandlot receives and relays to this terminal
     * ({@link TerminalExec}); returns the command's exit code. Needs sandlot to be the child
     * subreaper, whose {@code exitCodes} collect the exit code (see {@link TerminalExec}).
     *
     * @param term the value of TERM inside, or null for none (a value that is not a plain terminal name is left out)
     */
    public int execWithTerminal(String id, List<String> command, String term, TerminalExec.ExitCodes exitCodes,
            TerminalExec.Io io) throws HostException, InterruptedException {
        try (ConsoleSocket console = ConsoleSocket.open()) {
            Path pidFile = console.file("exec.pid");
            ExecRequest request = terminalExecRequest(id, command, console.path(), pidFile, term);
            return new TerminalExec(runner, exitCodes, io).run(request, console, pidFile);
        } catch (IOException e) {
            throw new HostException("runsc exec " + id + " with a terminal failed: " + e.getMessage(), e);
        }
    }

    ExecRequest terminalExecRequest(String id, List<String> command, Path socket, Path pidFile, String term) {
        List<String> sub = new ArrayList<>(List.of("exec", "-detach", "-console-socket", socket.toString(),
                "-pid-file", pidFile.toString()));
        if (term != null && TERM.matcher(term).matches()) {
            sub.add("-env");
            sub.add("TERM=" + term);
        }
        return request(sub, id, command.toArray(String[]::new));
    }

    /**
     * Why {@link #execWithTerminal} cannot run this command, or empty when it can: {@code runsc exec
     * -detach} re-executes itself without every argument that contains "detach" (runsc's way of
     * dropping the flag), so such a root, flag, sandbox id, temp dir or command word would be lost.
     */
    public Optional<String> terminalUnsupported(String id, List<String> command) {
        List<String> words = new ArrayList<>(List.of(root.toString(), System.getProperty("java.io.tmpdir"), id));
        words.addAll(flags);
        words.addAll(command);
        return words.stream().filter(w -> w.contains("detach")).findFirst()
                .map(w -> "runsc exec -detach, which gives the terminal, would drop the argument '"
                        + Text.clean(w, 80) + "' (it drops every argument containing \"detach\")");
    }

    /** {@code runsc exec ID ARGV...} with captured output, bounded by {@code timeout} (exec health checks). */
    public ExecResult execCaptured(String id, List<String> command, Duration limit) throws HostException {
        ExecRequest request = request(List.of("exec"), id, command.toArray(String[]::new)).withTimeout(limit)
                .withMaxOutputBytes(64 * 1024);
        try {
            return runner.run(request);
        } catch (IOException e) {
            throw new HostException("runsc exec " + id + " failed: " + e.getMessage(), e);
        }
    }

    private ExecResult exec(List<String> subcommand, String id, String... after) throws HostException {
        ExecRequest request = request(subcommand, id, after);
        try {
            return runner.run(request);
        } catch (IOException e) {
            throw new HostException("runsc " + subcommand.get(0) + (id == null ? "" : " " + id) + " failed: "
                    + e.getMessage(), e);
        }
    }

    private ExecRequest request(List<String> subcommand, String id, String... after) {
        List<String> argv = new ArrayList<>();
        argv.add(runscPath);
        argv.add("--root");
        argv.add(root.toString());
        argv.addAll(flags);
        argv.addAll(subcommand);
        if (id != null) {
            argv.add("--");
            argv.add(validateId(id));
            argv.addAll(List.of(after));
        }
        return new ExecRequest(argv, ExecRequest.HOST_ENV, null, timeout, null, ExecRequest.DEFAULT_MAX_OUTPUT);
    }

    private static RunscContainer container(JsonNode c, String what) throws HostException {
        JsonNode id = c.get("id");
        if (id == null || !id.isTextual()) {
            throw new HostException(what + " printed a container without an id: '" + Text.clean(c.toString(), 200)
                    + "'");
        }
        JsonNode bundle = c.get("bundle");
        return new RunscContainer(id.asText(), c.path("pid").asInt(-1), c.path("status").asText(""),
                bundle != null && bundle.isTextual() && !bundle.asText().isEmpty() ? Path.of(bundle.asText()) : null);
    }

    /** runsc says "loading container ...: file does not exist" for ids it does not know. */
    private static boolean isMissing(ExecResult r) {
        String err = r.stderrText() + r.stdoutText();
        return err.contains("file does not exist") || err.contains("does not exist")
                || err.contains("no such file or directory") || err.contains("not found");
    }

    private HostException failure(String what, ExecResult r, String hint) {
        String out = Text.clean(r.stderr(), 1000);
        if (out.isEmpty()) {
            out = Text.clean(r.stdout(), 1000);
        }
        return new HostException(what + " failed (exit " + r.exitCode() + "): " + (out.isEmpty() ? "no output" : out)
                + "; " + hint);
    }

    private static String validateId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid runsc container id: "
                    + (id == null ? "null" : "'" + Text.clean(id, 80) + "'"));
        }
        return id;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    /** The tail (a few KB) of what was appended to the log since {@code before}, made printable. */
    static String newOutput(Path logFile, long before) {
        try (SeekableByteChannel ch = Files.newByteChannel(logFile)) {
            long size = ch.size();
            if (size <= before) {
                return "no output";
            }
            long from = Math.max(before, size - RUN_ERROR_BYTES);
            ch.position(from);
            try (InputStream in = Channels.newInputStream(ch)) {
                String text = Text.clean(in.readNBytes(RUN_ERROR_BYTES), RUN_ERROR_BYTES);
                return text.isEmpty() ? "no output" : text;
            }
        } catch (NoSuchFileException e) {
            return "no output (no log file)";
        } catch (IOException e) {
            return "output unreadable: " + e.getMessage();
        }
    }
}
