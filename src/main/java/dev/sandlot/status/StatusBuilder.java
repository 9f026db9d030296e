package dev.sandlot.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.host.CniResults;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.plan.CrashLoopPolicy;
import dev.sandlot.plan.PlanContext;
import dev.sandlot.plan.Planner;
import dev.sandlot.plan.SandboxPlan;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import dev.sandlot.state.StoredAttachment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Derives each sandbox's status from desired state, an observation, and what the last passes
 * recorded (errors, restarts). Pure, like the planner, and agreeing with it: a sandbox is Running
 * exactly when the planner would keep its incarnation.
 */
public final class StatusBuilder {
    private StatusBuilder() {
    }

    /**
     * What the passes remember per name beyond the host.
     *
     * @param restarts            restarts so far (status column)
     * @param consecutiveRestarts restarts since the sandbox last ran long enough (crash-loop back-off)
     */
    public record History(String lastError, int restarts, int consecutiveRestarts, List<Run> runs) {
        public static final History NONE = new History(null, 0, 0, List.of());
        /** How many finished runs of a scheduled sandbox are kept. */
        public static final int RUNS_KEPT = 5;

        public History {
            runs = runs == null ? List.of() : List.copyOf(runs);
        }

        public History withRun(Run run) {
            List<Run> kept = new ArrayList<>(runs);
            kept.add(run);
            return new History(lastError, restarts, consecutiveRestarts,
                    kept.subList(Math.max(0, kept.size() - RUNS_KEPT), kept.size()));
        }
    }

    /** One finished run of a scheduled sandbox. */
    public record Run(Instant start, Instant end, Integer exitCode) {
    }

    /** The consecutive-restart counts the planner's back-off needs. */
    public static Map<String, Integer> consecutiveRestarts(Map<String, History> history) {
        Map<String, Integer> counts = new java.util.HashMap<>();
        history.forEach((name, h) -> counts.put(name, h.consecutiveRestarts()));
        return counts;
    }

    public static List<SandboxStatus> build(DesiredState desired, Observation observed, Map<String, History> history) {
        return build(desired, observed, history, new PlanContext(observed.at(), CrashLoopPolicy.DEFAULT,
                consecutiveRestarts(history)).completedWith(desired, observed, null, Map.of()), Map.of());
    }

    /**
     * Rows as the daemon sees them: its planning context (readiness from health checks, run
     * requests) and which sandboxes are Ready.
     */
    public static List<SandboxStatus> build(DesiredState desired, Observation observed, Map<String, History> history,
            PlanContext context, Map<String, Boolean> readiness) {
        TreeSet<String> names = new TreeSet<>(desired.sandboxes().keySet());
        names.addAll(observed.byName().keySet());
        List<SandboxStatus> rows = new ArrayList<>();
        for (String name : names) {
            SandboxStatus row = one(name, desired.get(name), observed.of(name), history.getOrDefault(name, History.NONE),
                    context);
            Boolean ready = readiness.get(name);
            rows.add(row.phase() == Phase.Running ? row.withReady(ready == null || ready) : row.withReady(false));
        }
        return rows;
    }

    static SandboxStatus one(String name, DesiredSandbox desired, List<Incarnation> incarnations, History history,
            PlanContext context) {
        Optional<Incarnation> keeper = desired == null ? Optional.empty()
                : incarnations.stream().filter(i -> Planner.problem(i, desired) == null).findFirst();
        Optional<Incarnation> ended = desired == null || keeper.isPresent() ? Optional.empty()
                : incarnations.stream().filter(i -> i.exitedAt() != null && !Planner.restarts(desired, i)
                        && desired.specHash().equals(i.specHash())).findFirst();
        SandboxPlan plan = desired == null ? null : Planner.planOne(name, desired, incarnations, context);
        Incarnation shown = keeper.or(() -> ended)
                .orElse(incarnations.isEmpty() ? null : incarnations.get(incarnations.size() - 1));
        Phase phase;
        String reason = null;
        String message = history.lastError() == null ? "" : history.lastError();
        if (desired == null) {
            phase = Phase.Terminating;
            reason = "NoManifest";
            SandboxPlan leaving = Planner.planOne(name, null, incarnations, context);
            if (leaving.waiting() != null) {
                message = "waiting for dependents " + leaving.waiting().split(" ", 2)[1] + " to go first";
            }
        } else if (keeper.isPresent()) {
            phase = Phase.Running;
        } else if (ended.isPresent()) {
            Integer code = ended.get().exitCode();
            phase = code != null && code == 0 ? Phase.Stopped : Phase.Failed;
            reason = code != null && code == 0 ? "Completed" : "Error";
            message = "exited with code " + (code == null ? "unknown" : code);
        } else if (plan != null && plan.waiting() != null && !"CrashLoopBackOff".equals(plan.waiting())) {
            String[] waiting = plan.waiting().split(" ", 2);
            reason = waiting[0];
            phase = switch (reason) {
                case "Suspended", "Scheduled" -> Phase.Stopped;
                default -> Phase.Pending;
            };
            message = waiting.length > 1 ? "waiting for " + waiting[1] : "";
        } else if (plan != null && "CrashLoopBackOff".equals(plan.waiting())) {
            phase = Phase.Failed;
            reason = "CrashLoopBackOff";
            Integer code = shown == null ? null : shown.exitCode();
            message = "back-off " + plan.retryAfter().toSeconds() + " s restarting failed sandbox (exit code "
                    + (code == null ? "unknown" : code) + ")";
        } else if (history.lastError() != null) {
            phase = Phase.Failed;
            reason = "CreateFailed";
        } else {
            phase = Phase.Pending;
            reason = shown == null ? "NotCreated" : "Recreating";
            if (shown != null) {
                message = Planner.problem(shown, desired);
            }
        }
        if (desired != null && desired.heldError() != null) {
            reason = "ManifestInvalid";
            message = desired.heldError();
        }
        return new SandboxStatus(
                name,
                phase,
                reason,
                shown == null ? null : ipOf(shown),
                keeper.map(Incarnation::pid).filter(p -> p > 0).orElse(null),
                history.restarts(),
                message,
                shown == null || shown.stored() == null || shown.stored().record() == null
                        ? null : shown.stored().record().createdAt(),
                shown == null ? null : shown.exitCode(),
                shown == null ? null : shown.id().value(),
                desired == null ? shown == null ? null : shown.specHash() : desired.specHash(),
                desired == null ? null : desired.sourceFile(),
                keeper.isPresent(),
                history.runs());
    }

    /** The first IPv4 address of eth0 (attachment 1), without prefix. */
    public static String ipOf(Incarnation inc) {
        if (inc.stored() == null) {
            return null;
        }
        for (StoredAttachment a : inc.stored().attachments()) {
            if (a.index() == 1 && a.added()) {
                return CniResults.firstIpv4(a.record().result());
            }
        }
        return null;
    }
}
