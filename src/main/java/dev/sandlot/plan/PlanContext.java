package dev.sandlot.plan;

import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.source.DesiredState;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What the planner needs beyond one name's desired and observed state, passed in so that it stays
 * pure: the time, the back-off policy and restart counts, which sandboxes are Ready (for
 * {@code dependsOn}), which sandboxes still run a dependent that is leaving too (teardown runs in
 * reverse dependency order), and the scheduled runs requested.
 *
 * @param ready       names that are Ready now
 * @param dependents  name → names that depend on it, still exist on the host and are leaving too
 * @param runRequests name → when a scheduled run was last requested
 */
public record PlanContext(Instant now, CrashLoopPolicy crashLoop, Map<String, Integer> consecutiveRestarts,
        Set<String> ready, Map<String, Set<String>> dependents, Map<String, Instant> runRequests) {

    public PlanContext {
        consecutiveRestarts = Map.copyOf(consecutiveRestarts);
        ready = Set.copyOf(ready);
        dependents = Map.copyOf(dependents);
        runRequests = Map.copyOf(runRequests);
    }

    public PlanContext(Instant now, CrashLoopPolicy crashLoop, Map<String, Integer> consecutiveRestarts) {
        this(now, crashLoop, consecutiveRestarts, Set.of(), Map.of(), Map.of());
    }

    public static PlanContext at(Instant now) {
        return new PlanContext(now, CrashLoopPolicy.DEFAULT, Map.of());
    }

    int restartsOf(String name) {
        return consecutiveRestarts.getOrDefault(name, 0);
    }

    /**
     * This context completed from the whole picture: a sandbox is Ready when it runs as the planner
     * wants it and is not in {@code notReady} (those whose health check fails).
     */
    public PlanContext completedWith(DesiredState desired, Observation observed, Set<String> notReady,
            Map<String, Instant> requests) {
        Set<String> readyNow = new HashSet<>();
        Map<String, Set<String>> leaving = new HashMap<>();
        for (Map.Entry<String, java.util.List<Incarnation>> e : observed.byName().entrySet()) {
            String name = e.getKey();
            var want = desired.get(name);
            boolean running = want != null && e.getValue().stream().anyMatch(i -> Planner.problem(i, want) == null);
            if (running && !notReady.contains(name)) {
                readyNow.add(name);
            }
            if (want != null) {
                continue;
            }
            for (Incarnation i : e.getValue()) {
                if (i.stored() != null && i.stored().record() != null && i.stored().record().spec() != null) {
                    for (String dependency : i.stored().record().spec().dependsOn()) {
                        if (desired.get(dependency) == null) {
                            leaving.computeIfAbsent(dependency, k -> new HashSet<>()).add(name);
                        }
                    }
                }
            }
        }
        return new PlanContext(now, crashLoop, consecutiveRestarts, readyNow, leaving, requests);
    }
}
