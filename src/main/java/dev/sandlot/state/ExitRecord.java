package dev.sandlot.state;

import java.time.Instant;

/**
 * How an incarnation's process ended, written when sandlot learns of it: from its own subreaper
 * (exact exit code), or the first time a pass sees it gone (code unknown, e.g. a sandbox adopted
 * from an earlier daemon, whose exit status went to PID 1).
 *
 * @param exitCode the exit code, 128+signal for a killed process, or null when unknown
 */
public record ExitRecord(Integer exitCode, Instant at) {
}
