package dev.sandlot.plan;

import java.util.List;

/** The plan for every name that is desired or observed, in name order. */
public record Plan(List<SandboxPlan> sandboxes) {
    public Plan {
        sandboxes = List.copyOf(sandboxes);
    }

    public boolean inSync() {
        return sandboxes.stream().allMatch(SandboxPlan::inSync);
    }

    public List<SandboxPlan> changes() {
        return sandboxes.stream().filter(p -> !p.inSync()).toList();
    }
}
