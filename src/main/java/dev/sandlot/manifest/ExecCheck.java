package dev.sandlot.manifest;

import java.util.List;

/**
 * A {@link HealthCheck} by running an argv inside the sandbox with {@code runsc exec}; healthy when
 * it exits 0 within the timeout. Never a shell string.
 *
 * @param command non-empty; the program not empty; no NUL characters
 */
public record ExecCheck(List<String> command) {
    public ExecCheck {
        command = List.copyOf(command);
    }
}
