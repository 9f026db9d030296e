package dev.sandlot.cli;

import dev.sandlot.status.Phase;
import dev.sandlot.status.SandboxStatus;
import dev.sandlot.status.StatusBuilder;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.quartz.CronExpression;

/**
 * The text table of {@code sandlot status}. READY is apart from PHASE as kubectl shows it
 * ({@code 1/1} Running and passing its health check, else {@code 0/1}); a scheduled sandbox's
 * message says when its last run ended and when the next one fires, so the table stays narrow.
 */
final class StatusTable {
    static final String FORMAT = "%-20s %-12s %-5s %-15s %-8s %-8s %-6s %s%n";

    private StatusTable() {
    }

    /**
     * Health checks run in the daemon only: a Running row takes the readiness the daemon recorded
     * for the same incarnation (id), else it stays as built (Ready when nothing says otherwise).
     */
    static List<SandboxStatus> withRecordedReadiness(List<SandboxStatus> rows, List<SandboxStatus> recorded) {
        Map<String, SandboxStatus> byId = new java.util.HashMap<>();
        recorded.stream().filter(r -> r.id() != null).forEach(r -> byId.put(r.id(), r));
        return rows.stream().map(r -> {
            SandboxStatus same = r.id() == null ? null : byId.get(r.id());
            return same == null || r.phase() != Phase.Running ? r : r.withReady(same.ready());
        }).toList();
    }

    /** @param schedules the cron expression of each scheduled sandbox, by name */
    static String render(List<SandboxStatus> rows, Map<String, String> schedules, Instant now) {
        StringBuilder out = new StringBuilder(String.format(FORMAT, "NAME", "PHASE", "READY", "IP", "PID", "RESTARTS",
                "AGE", "MESSAGE"));
        for (SandboxStatus r : rows) {
            out.append(String.format(FORMAT, r.name(), r.phase(), r.phase() == Phase.Running && r.ready() ? "1/1" : "0/1",
                    r.ip() == null ? "-" : r.ip(), r.pid() == null ? "-" : r.pid(), r.restarts(),
                    r.since() == null ? "-" : StatusCommand.age(Duration.between(r.since(), now)),
                    message(r, schedules.get(r.name()), now)));
        }
        return out.toString();
    }

    private static String message(SandboxStatus r, String schedule, Instant now) {
        String reason = r.reason() == null ? "" : r.reason();
        String text = r.message() == null || r.message().isEmpty() ? reason
                : (reason.isEmpty() ? "" : reason + ": ") + r.message();
        if (schedule == null) {
            return text;
        }
        String runs = runs(r.runs(), schedule, now);
        return text.isEmpty() ? runs : text + "; " + runs;
    }

    /** "last 3m ago exit 0, next in 2m": the last finished run and the next fire time. */
    static String runs(List<StatusBuilder.Run> runs, String schedule, Instant now) {
        String last = "no run yet";
        if (!runs.isEmpty()) {
            StatusBuilder.Run run = runs.get(runs.size() - 1);
            Instant ended = run.end() == null ? run.start() : run.end();
            last = "last " + StatusCommand.age(Duration.between(ended, now)) + " ago exit "
                    + (run.exitCode() == null ? "unknown" : run.exitCode());
        }
        return last + ", next " + next(schedule, now);
    }

    private static String next(String schedule, Instant now) {
        try {
            Date next = new CronExpression(schedule).getNextValidTimeAfter(Date.from(now));
            return next == null ? "never" : "in " + StatusCommand.age(Duration.between(now, next.toInstant()));
        } catch (ParseException e) {
            return "unknown"; // validated manifests always parse; a held one might not
        }
    }
}
