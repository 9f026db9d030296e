package dev.sandlot.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One row of {@code sandlot status}; its JSON form is the contract of DESIGN.md §2
 * ({@code name, phase, reason, ip, pid, restarts, message} at least).
 *
 * @param ip      first IPv4 address of eth0 without prefix, null without networks
 * @param since   when the current incarnation was created (the age column)
 * @param message the last error, or empty
 * @param exitCode how the shown incarnation's process ended, or null (running, unknown)
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
        String source) {
}
