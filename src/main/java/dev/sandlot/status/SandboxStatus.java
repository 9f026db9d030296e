package dev.sandlot.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * One row of {@code sandlot status}; its JSON form is the contract of DESIGN.md §2
 * ({@code name, phase, reason, ip, pid, restarts, message} at least).
 *
 * @param ip      first IPv4 address of eth0 without prefix, null without networks
 * @param since   when the current incarnation was created (the age column)
 * @param message the last error, or empty
 * @param exitCode how the shown incarnation's process ended, or null (running, unknown)
 * @param ready    Running and passing its health check (Running without a health check is Ready)
 * @param runs     the last finished runs of a scheduled sandbox (start, end, exit code)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record SandboxStatus(
        String name,
        Phase phase,
        String reason,
        String ip,
        Integer pid,
        int restarts,
        String message,
        Instant since,
        Integer exitCode,
        String id,
        String specHash,
        String source,
        boolean ready,
        List<StatusBuilder.Run> runs) {

    /** Rows are built before readiness is known; this sets it. */
    public SandboxStatus withReady(boolean isReady) {
        return new SandboxStatus(name, phase, reason, ip, pid, restarts, message, since, exitCode, id, specHash, source,
                isReady, runs);
    }
}
