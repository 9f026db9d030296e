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
 * @param rootfsDigests name → the content digest its archive or image rootfs names on the host now
 *                    (the file's sha256, the manifest digest of the image ref); a running sandbox
 *                    recorded with another digest is replaced. Names left out are not compared.
 */
public record PlanContext(Instant now, CrashLoopPolicy crashLoop, Map<String, Integer> consecutiveRestarts,
        Set<String> ready, Map<String, Set<String>> dependents, Map<String, Instant> runRequests,
        Map<String, String> rootfsDigests) {

    public PlanContext {
        consecutiveRestarts = Map.copyOf(consecutiveRestarts);
        ready = Set.copyOf(ready);
        dependents = Map.copyOf(dependents);
        runRequests = Map.copyOf(runRequests);
        rootfsDigests = rootfsDigests == null ? Map.of() : Map.copyOf(rootfsDigests);
    }

    public PlanContext(Instant now, CrashLoopPolicy crashLoop, Map<String, Integer> consecutiveRestarts,
            Set<String> ready, Map<String, Set<String>> dependents, Map<String, Instant> runRequests) {
        this(now, crashLoop, consecutiveRestarts, ready, dependents, runRequests, Map.of());
    }

    /** This context with the rootfs content digests found on the host (I/O the caller did). */
    public PlanContext withRootfsDigests(Map<String, String> digests) {
        return new PlanContext(now, crashLoop, consecutiveRestarts, ready, dependents, runRequests, digests);
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
     * wants it and, if it has a health check, that check has passed ({@code healthReady} holds the
     * names whose check passes; null when nobody runs checks, as in a one-shot apply: then running
     * counts as Ready).
     */
    public PlanContext completedWith(DesiredState desired, Observation observed, Set<String> healthReady,
            Map<String, Instant> requests) {
        Set<String> readyNow = new HashSet<>();
        Map<String, Set<String>> leaving = new HashMap<>();
        for (Map.Entry<String, java.util.List<Incarnation>> e : observed.byName().entrySet()) {
            String name = e.getKey();
            var want = desired.get(name);
            boolean running = want != null && e.getValue().stream().anyMatch(i -> Planner.problem(i, want) == null);
            boolean checked = want != null && want.manifest().spec().healthCheck() != null && healthReady != null;
            if (running && (!checked || healthReady.contains(name))) {
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
        return new PlanContext(now, crashLoop, consecutiveRestarts, readyNow, leaving, requests, rootfsDigests);
    }
}
