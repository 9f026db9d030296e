package dev.sandlot.status;

import dev.sandlot.apply.SandboxResult;
import dev.sandlot.observe.Observation;
import dev.sandlot.source.DesiredState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers what passes did (last error, restarts per name) on top of what was recorded before,
 * and writes the status file. Thread-safe: parallel workers record into it.
 */
public final class StatusRecorder {
    private final StatusFile file;
    private final Map<String, StatusBuilder.History> history;

    private final dev.sandlot.plan.CrashLoopPolicy crashLoop;
    private volatile dev.sandlot.source.SourceStatus source;

    public StatusRecorder(Path runDir) {
        this(runDir, dev.sandlot.plan.CrashLoopPolicy.DEFAULT);
    }

    public StatusRecorder(Path runDir, dev.sandlot.plan.CrashLoopPolicy crashLoop) {
        this.crashLoop = crashLoop;
        this.file = new StatusFile(runDir);
        this.history = new ConcurrentHashMap<>(file.readHistory());
    }

    public void record(SandboxResult result) {
        history.compute(result.name(), (name, old) -> {
            StatusBuilder.History h = old == null ? StatusBuilder.History.NONE : old;
            boolean restarted = result.created() != null && result.restart();
            int restarts = h.restarts() + (restarted ? 1 : 0);
            int consecutive = result.restartAttempt() > 0 ? result.restartAttempt()
                    : result.created() != null ? 0 : h.consecutiveRestarts();
            return new StatusBuilder.History(result.ok() ? null : result.error(), restarts, consecutive, h.runs());
        });
    }

    /** What the source applied (the git commit), written into the status file from now on. */
    public void source(dev.sandlot.source.SourceStatus status) {
        this.source = status;
    }

    /** A scheduled sandbox's run ended and its incarnation is being replaced: keep it in the history. */
    public void recordRun(String name, StatusBuilder.Run run) {
        history.compute(name, (n, old) -> (old == null ? StatusBuilder.History.NONE : old).withRun(run));
    }

    /** A health check (or something else outside a pass) has something to say about a sandbox. */
    public void recordError(String name, String error) {
        history.compute(name, (n, old) -> {
            StatusBuilder.History h = old == null ? StatusBuilder.History.NONE : old;
            return new StatusBuilder.History(error, h.restarts(), h.consecutiveRestarts(), h.runs());
        });
    }

    /**
     * The planner's context now: back-off policy, each name's consecutive restarts, readiness
     * ({@code healthReady}: names whose health check passes, or null without health checks) and
     * scheduled run requests.
     */
    public dev.sandlot.plan.PlanContext planContext(Instant now, DesiredState desired, Observation observed,
            java.util.Set<String> healthReady, Map<String, Instant> runRequests) {
        return new dev.sandlot.plan.PlanContext(now, crashLoop,
                StatusBuilder.consecutiveRestarts(history())).completedWith(desired, observed, healthReady, runRequests);
    }

    public Map<String, StatusBuilder.History> history() {
        return new TreeMap<>(history);
    }

    /** Writes status rows for every name desired or observed; forgets names that are neither. */
    public void write(DesiredState desired, Observation observed) throws IOException {
        write(desired, observed, planContext(Instant.now(), desired, observed, null, Map.of()), Map.of());
    }

    /** Like {@link #write(DesiredState, Observation)}, with the daemon's context and readiness. */
    public void write(DesiredState desired, Observation observed, dev.sandlot.plan.PlanContext context,
            Map<String, Boolean> readiness) throws IOException {
        history.keySet().removeIf(n -> desired.get(n) == null && observed.of(n).isEmpty());
        Map<String, StatusBuilder.History> snapshot = history();
        file.write(new StatusFile.Content(Instant.now(), ProcessHandle.current().pid(),
                StatusBuilder.build(desired, observed, snapshot, context, readiness), snapshot, desired.fileErrors(),
                source));
    }
}
