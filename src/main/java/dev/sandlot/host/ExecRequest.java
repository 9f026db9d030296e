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

    public ExecRequest {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty argv");
        }
        env = Map.copyOf(env);
        Objects.requireNonNull(timeout, "timeout");
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

    /** The program name, for messages. */
    public String program() {
        return Path.of(argv.get(0)).getFileName().toString();
    }
}
