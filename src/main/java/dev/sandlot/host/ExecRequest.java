package dev.sandlot.host;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One program run: argv, its complete environment, optional stdin, a timeout, and where stdout and
 * stderr go. With {@code outputFile} set, both streams are appended to that file instead of being
 * captured (a detached sandbox keeps writing there after the call returns, so it must never be a
 * pipe back to sandlot).
 */
public record ExecRequest(
        List<String> argv,
        Map<String, String> env,
        byte[] stdin,
        Duration timeout,
        Path outputFile,
        int maxOutputBytes) {

    public static final int DEFAULT_MAX_OUTPUT = 1 << 20;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The PATH every host program gets. The environment is cleared, but plugins still run other
     * programs (the bridge plugin runs {@code iptables}) and fail without one.
     */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** The whole environment of a host program that needs nothing else: only {@link #DEFAULT_PATH}. */
    public static final Map<String, String> HOST_ENV = Map.of("PATH", DEFAULT_PATH);

    public ExecRequest {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        env = Map.copyOf(env);
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxOutputBytes < 0) {
            throw new IllegalArgumentException("maxOutputBytes must not be negative: " + maxOutputBytes);
        }
    }

    public static ExecRequest of(List<String> argv) {
        return new ExecRequest(argv, Map.of(), null, DEFAULT_TIMEOUT, null, DEFAULT_MAX_OUTPUT);
    }

    public ExecRequest withEnv(Map<String, String> newEnv) {
        return new ExecRequest(argv, newEnv, stdin, timeout, outputFile, maxOutputBytes);
    }

    public ExecRequest withStdin(byte[] input) {
        return new ExecRequest(argv, env, input, timeout, outputFile, maxOutputBytes);
    }

    public ExecRequest withTimeout(Duration newTimeout) {
        return new ExecRequest(argv, env, stdin, newTimeout, outputFile, maxOutputBytes);
    }

    public ExecRequest withOutputFile(Path file) {
        return new ExecRequest(argv, env, stdin, timeout, file, maxOutputBytes);
    }

    public ExecRequest withMaxOutputBytes(int max) {
        return new ExecRequest(argv, env, stdin, timeout, outputFile, max);
    }

    /** The stdin as text (UTF-8), or empty without stdin; for tests and messages. */
    public String stdinText() {
        return stdin == null ? "" : new String(stdin, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The program name, for messages. */
    public String program() {
        return Path.of(argv.get(0)).getFileName().toString();
    }
}
