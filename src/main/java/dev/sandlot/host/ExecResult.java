package dev.sandlot.host;

import java.nio.charset.StandardCharsets;

/** What a finished program left: exit code and (bounded) output. */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr, boolean truncated) {

    public static ExecResult ok(String stdout) {
        return new ExecResult(0, stdout.getBytes(StandardCharsets.UTF_8), new byte[0], false);
    }

    public static ExecResult failed(int code, String stderr) {
        return new ExecResult(code, new byte[0], stderr.getBytes(StandardCharsets.UTF_8), false);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }
}
