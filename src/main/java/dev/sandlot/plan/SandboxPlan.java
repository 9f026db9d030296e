package dev.sandlot.plan;

import java.util.List;

/**
 * What converges one sandbox name, in order: teardowns first, then at most one create.
 * No actions means the name is in sync.
 */
public record SandboxPlan(String name, List<Action> actions) {
    public SandboxPlan {
        actions = List.copyOf(actions);
    }

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
        return "  ok       " + name;
    }
}
