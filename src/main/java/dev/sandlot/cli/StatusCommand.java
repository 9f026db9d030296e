package dev.sandlot.cli;

import dev.sandlot.source.DesiredState;
import dev.sandlot.source.Sources;
import dev.sandlot.source.SourceUnavailableException;
import dev.sandlot.status.SandboxStatus;
import dev.sandlot.status.StatusBuilder;
import dev.sandlot.status.StatusFile;
import dev.sandlot.status.StatusRecorder;
import dev.sandlot.plan.CrashLoopPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"One row per sandbox: name, phase, ready, IP, pid, restarts, age, message.",
            "Works with or without the daemon: the host is observed now; errors and restarts",
            "come from what the daemon (or the last apply) recorded. Never changes the host."},
        footer = {"", "Examples:", "  sandlot status", "  sandlot status --json web"})
final class StatusCommand extends ConvergeCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print a JSON array (fields: name, phase, reason, ip, pid, restarts, message, ...).")
    boolean json;

    @Parameters(arity = "0..1", paramLabel = "NAME", description = "Show only this sandbox.")
    String name;

    @Override
    public Integer call() {
        try {
            Snapshot s = snapshotTolerant();
            StatusRecorder recorder = new StatusRecorder(s.context().settings.runDir(),
                    CrashLoopPolicy.of(s.context().settings));
            List<SandboxStatus> rows = StatusBuilder.build(s.desired(), s.observed(), recorder.history(),
                    recorder.planContext(s.observed().at(), s.desired(), s.observed(), null,
                            java.util.Map.of()), java.util.Map.of());
            rows = StatusTable.withRecordedReadiness(rows,
                    new StatusFile(s.context().settings.runDir()).readSandboxes());
            if (name != null) {
                rows = rows.stream().filter(r -> r.name().equals(name)).toList();
            }
            if (json) {
                out().println(StatusFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(rows));
            } else {
                printTable(rows, s.desired());
                printSource(s.context());
            }
            return 0;
        } catch (Exception e) {
            err().println("sandlot status: " + Errors.describe(e));
            return 1;
        }
    }

    /** Like {@link #snapshot()}, but a missing manifests folder only means "no desired state known". */
    private Snapshot snapshotTolerant() throws Exception {
        Context context = Context.open(options);
        var observed = context.host.observer().observe();
        DesiredState desired;
        var records = context.host.state().loadAll();
        try {
            desired = Sources.readOnce(Sources.open(context.settings, false), records);
        } catch (SourceUnavailableException e) {
            // Nothing is torn down while the source cannot be read, so show the sandboxes as what
            // they keep running on: their last known good, with the problem as the message.
            err().println("warning: " + e.getMessage());
            java.util.Map<String, dev.sandlot.source.DesiredSandbox> held = new java.util.TreeMap<>();
            dev.sandlot.source.LastKnownGood.fromRecords(records).byName().forEach((name, d) -> held.put(name,
                    new dev.sandlot.source.DesiredSandbox(d.manifest(), d.sourceFile(), e.getMessage())));
            desired = new DesiredState(held, java.util.Map.of());
        }
        return new Snapshot(context, desired, observed);
    }

    /** With a git source: the commit the daemon (or the last apply) applied, and its problem. */
    private void printSource(Context context) {
        dev.sandlot.source.SourceStatus source = Sources.open(context.settings, false).status();
        if (source.revision() == null) {
            return;
        }
        dev.sandlot.source.SourceStatus recorded = new StatusFile(context.settings.runDir()).readSource();
        out().println();
        out().println("source: " + source.kind() + " " + source.location() + " at " + source.revision()
                + (source.appliedAt() == null ? "" : ", applied " + age(Duration.between(source.appliedAt(),
                Instant.now())) + " ago (" + source.appliedAt() + ")"));
        if (recorded != null && recorded.problem() != null) {
            out().println("source problem (as the daemon last saw it): " + recorded.problem());
        }
    }

    private void printTable(List<SandboxStatus> rows, DesiredState desired) {
        if (rows.isEmpty()) {
            out().println("no sandboxes");
            return;
        }
        java.util.Map<String, String> schedules = new java.util.HashMap<>();
        desired.sandboxes().forEach((n, d) -> {
            if (d.manifest().spec().schedule() != null) {
                schedules.put(n, d.manifest().spec().schedule());
            }
        });
        out().print(StatusTable.render(rows, schedules, Instant.now()));
    }

    /** Ages as kubectl prints them: 45s, 12m, 3h, 5d. */
    static String age(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return s / 60 + "m";
        }
        if (s < 172800) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }
}
