package dev.sandlot.plan;

import java.time.Duration;
import java.util.List;

/**
 * What converges one sandbox name, in order: teardowns first, then at most one create.
 *
 * @param waiting        why the name is not converged yet although nothing is to be done now
 *                       ("CrashLoopBackOff"), or null
 * @param retryAfter     when to look again (the end of a back-off), or null
 * @param restartAttempt for a create that restarts an exited sandbox: which consecutive restart
 *                       this is (1 after a reset), else 0
 */
public record SandboxPlan(String name, List<Action> actions, String waiting, Duration retryAfter, int restartAttempt) {
    public SandboxPlan {
        actions = List.copyOf(actions);
    }

    public SandboxPlan(String name, List<Action> actions) {
        this(name, actions, null, null, 0);
    }

    /** Nothing to do now (possibly waiting for a back-off to end). */
    public boolean inSync() {
        return actions.isEmpty();
    }

    /** One line for {@code sandlot plan}: create / replace / recreate / delete, with the reason. */
    public String describe() {
        boolean creates = actions.stream().anyMatch(a -> a instanceof Action.Create);
        long teardowns = actions.stream().filter(a -> a instanceof Action.Teardown).count();
        String reason = actions.isEmpty() ? "in sync" : actions.get(0).reason();
        if (creates && teardowns == 0) {
            return "+ create   " + name + " (" + reason + ")";
        }
        if (creates) {
            String verb = "spec changed".equals(reason) ? "replace " : "recreate";
            return "~ " + verb + " " + name + " (" + reason + ")";
        }
        if (teardowns > 0) {
            return "- delete   " + name + " (" + reason + ")";
        }
        if (waiting != null) {
            return "  wait     " + name + " (" + waiting + (retryAfter == null ? "" : ", " + retryAfter.toSeconds() + " s") + ")";
        }
        return "  ok       " + name;
    }
}
