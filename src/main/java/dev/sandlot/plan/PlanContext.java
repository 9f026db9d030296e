package dev.sandlot.plan;

import java.time.Instant;
import java.util.Map;

/**
 * What the planner needs beyond desired and observed state, passed in so that it stays pure:
 * the time, the back-off policy, and how many consecutive restarts each name has had.
 */
public record PlanContext(Instant now, CrashLoopPolicy crashLoop, Map<String, Integer> consecutiveRestarts) {
    public PlanContext {
        consecutiveRestarts = Map.copyOf(consecutiveRestarts);
    }

    public static PlanContext at(Instant now) {
        return new PlanContext(now, CrashLoopPolicy.DEFAULT, Map.of());
    }

    int restartsOf(String name) {
        return consecutiveRestarts.getOrDefault(name, 0);
    }
}
