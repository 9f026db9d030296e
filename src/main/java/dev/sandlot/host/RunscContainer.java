package dev.sandlot.host;

import java.nio.file.Path;

/**
 * One container as {@code runsc list} or {@code runsc state} reports it.
 *
 * @param pid    the sandbox (boot) process; -1 (or 0) once stopped. It exits with the application's
 *               exit code.
 * @param status runsc's word: "creating", "created", "running", "paused" or "stopped". A killed
 *               sandbox stays "running" until its zombie is reaped: ask {@link ProcFs} as well.
 * @param bundle null if runsc did not say
 */
public record RunscContainer(String id, int pid, String status, Path bundle) {
    public boolean isRunning() {
        return "running".equals(status);
    }

    public boolean isStopped() {
        return "stopped".equals(status);
    }
}
