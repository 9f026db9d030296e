package dev.sandlot.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A fake {@link ProcessRunner} for unit tests: records every request and answers by rules.
 *
 * <pre>{@code
 * RecordingProcessRunner runner = new RecordingProcessRunner();
 * runner.whenArgv("runsc", "list").thenReturn(ok("null"));
 * runner.whenArgv("kill").thenReturn(fail(128, "boom"), ok(""));   // first call fails, then succeeds
 * ... code under test ...
 * assertThat(runner.argvs()).containsExactly(...);
 * }</pre>
 *
 * <p>Rules are tried newest first, so a test can override defaults set up in {@code @BeforeEach}.
 * A rule with several replies gives them in order and then repeats the last one. A request no rule
 * matches fails the test with an {@link AssertionError} (strict), unless {@link #otherwise} set a
 * default. Thread-safe, so it also serves code that runs work in parallel.
 */
public final class RecordingProcessRunner implements ProcessRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Answers one request; may throw like the real runner (timeouts, missing binaries). */
    @FunctionalInterface
    public interface Reply {
        ExecResult answer(ExecRequest request) throws IOException;
    }

    private final List<Rule> rules = new ArrayList<>();
    private final List<ExecRequest> requests = new ArrayList<>();
    private Reply otherwise;

    // ---- replies ----------------------------------------------------------------------------

    /** Exit 0 with this stdout. */
    public static Reply ok(String stdout) {
        return r -> ExecResult.ok(stdout);
    }

    /** Exit {@code code} with this stderr and no stdout. */
    public static Reply fail(int code, String stderr) {
        return r -> ExecResult.failed(code, stderr);
    }

    /** Any exit code, stdout and stderr. */
    public static Reply exit(int code, String stdout, String stderr) {
        return r -> new ExecResult(code, stdout.getBytes(StandardCharsets.UTF_8),
                stderr.getBytes(StandardCharsets.UTF_8), false);
    }

    /** As the real runner does when a program runs past its timeout. */
    public static Reply timeout() {
        return r -> {
            throw new ProcessTimeoutException(r.program() + " did not finish within " + r.timeout()
                    + " and was killed (fake)");
        };
    }

    /** As the real runner does when the program cannot be started. */
    public static Reply cannotStart() {
        return r -> {
            throw new IOException("cannot start " + r.argv().get(0) + ": No such file or directory (fake)");
        };
    }

    /**
     * Appends {@code text} to the request's output file (as a program started with one would),
     * then exits with {@code code}.
     */
    public static Reply appendToOutputFile(int code, String text) {
        return r -> {
            if (r.outputFile() == null) {
                throw new AssertionError("expected a request with an output file: " + r.argv());
            }
            Files.write(r.outputFile(), text.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            return new ExecResult(code, new byte[0], new byte[0], false);
        };
    }

    // ---- rules ------------------------------------------------------------------------------

    /** A rule for requests that match. */
    public Stub when(Predicate<ExecRequest> match) {
        return new Stub(match);
    }

    /**
     * A rule for requests whose argv holds these tokens in a row. The program (argv[0]) also
     * matches by its file name, so {@code "bridge"} matches {@code /usr/lib/cni/bridge}.
     */
    public Stub whenArgv(String... tokens) {
        return when(argvContains(tokens));
    }

    /** The answer to any request no rule matches (the default is to fail the test). */
    public synchronized RecordingProcessRunner otherwise(Reply reply) {
        this.otherwise = reply;
        return this;
    }

    /** Answers every request no rule matches with exit 0 and no output. */
    public RecordingProcessRunner lenient() {
        return otherwise(ok(""));
    }

    public final class Stub {
        private final Predicate<ExecRequest> match;

        private Stub(Predicate<ExecRequest> match) {
            this.match = match;
        }

        public RecordingProcessRunner thenReturn(Reply first, Reply... more) {
            List<Reply> replies = new ArrayList<>();
            replies.add(first);
            replies.addAll(Arrays.asList(more));
            synchronized (RecordingProcessRunner.this) {
                rules.add(new Rule(match, replies));
            }
            return RecordingProcessRunner.this;
        }
    }

    // ---- matchers ---------------------------------------------------------------------------

    public static Predicate<ExecRequest> argvContains(String... tokens) {
        return r -> indexOf(r.argv(), tokens) >= 0;
    }

    public static Predicate<ExecRequest> program(String name) {
        return r -> r.program().equals(name) || r.argv().get(0).equals(name);
    }

    public static Predicate<ExecRequest> env(String key, String value) {
        return r -> value.equals(r.env().get(key));
    }

    // ---- the runner -------------------------------------------------------------------------

    @Override
    public ExecResult run(ExecRequest request) throws IOException {
        Reply reply;
        synchronized (this) {
            requests.add(request);
            reply = null;
            for (int i = rules.size() - 1; i >= 0 && reply == null; i--) {
                reply = rules.get(i).next(request);
            }
            if (reply == null) {
                reply = otherwise;
            }
        }
        if (reply == null) {
            throw new AssertionError("unexpected command (no rule matches): " + request.argv() + " env "
                    + request.env());
        }
        return reply.answer(request);
    }

    // ---- what was run -----------------------------------------------------------------------

    public synchronized List<ExecRequest> requests() {
        return List.copyOf(requests);
    }

    public synchronized List<ExecRequest> requests(Predicate<ExecRequest> match) {
        return requests.stream().filter(match).toList();
    }

    public synchronized List<List<String>> argvs() {
        return requests.stream().map(ExecRequest::argv).toList();
    }

    /** The argvs, each joined by spaces: handy with {@code containsExactly}. */
    public synchronized List<String> commandLines() {
        return requests.stream().map(r -> String.join(" ", r.argv())).toList();
    }

    public synchronized ExecRequest last() {
        if (requests.isEmpty()) {
            throw new AssertionError("nothing was run");
        }
        return requests.get(requests.size() - 1);
    }

    public synchronized ExecRequest only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected exactly one command, got " + argvs());
        }
        return requests.get(0);
    }

    public synchronized int count(Predicate<ExecRequest> match) {
        return (int) requests.stream().filter(match).count();
    }

    /** Forgets what was run (rules stay). */
    public synchronized void clearRequests() {
        requests.clear();
    }

    /** The request's stdin parsed as JSON. */
    public static JsonNode stdinJson(ExecRequest request) {
        if (request.stdin() == null) {
            throw new AssertionError("no stdin: " + request.argv());
        }
        try {
            return JSON.readTree(request.stdin());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A copy of the environment without PATH, for asserting the rest exactly. */
    public static Map<String, String> envWithoutPath(ExecRequest request) {
        Map<String, String> env = new java.util.TreeMap<>(request.env());
        env.remove("PATH");
        return env;
    }

    private static int indexOf(List<String> argv, String[] tokens) {
        outer:
        for (int start = 0; start + tokens.length <= argv.size(); start++) {
            for (int j = 0; j < tokens.length; j++) {
                String a = argv.get(start + j);
                boolean program = start + j == 0;
                if (!a.equals(tokens[j]) && !(program && Path.of(a).getFileName().toString().equals(tokens[j]))) {
                    continue outer;
                }
            }
            return start;
        }
        return -1;
    }

    private static final class Rule {
        private final Predicate<ExecRequest> match;
        private final List<Reply> replies;
        private int used;

        Rule(Predicate<ExecRequest> match, List<Reply> replies) {
            this.match = match;
            this.replies = replies;
        }

        Reply next(ExecRequest request) {
            if (!match.test(request)) {
                return null;
            }
            Reply r = replies.get(Math.min(used, replies.size() - 1));
            used++;
            return r;
        }
    }
}
