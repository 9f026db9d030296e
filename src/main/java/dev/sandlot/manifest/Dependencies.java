package dev.sandlot.manifest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code dependsOn} across files: every name must be declared somewhere, and there must be no
 * cycle. Per-file validation cannot see this, so the folder source (and {@code validate} on a
 * folder) runs it on all manifests together.
 */
public final class Dependencies {
    private Dependencies() {
    }

    /**
     * Errors for manifests that depend on a name neither among {@code manifests} nor in
     * {@code alsoKnown}, and for every member of a cycle.
     */
    public static List<ManifestError> check(List<Manifest> manifests, Set<String> alsoKnown) {
        Map<String, Manifest> byName = new LinkedHashMap<>();
        manifests.forEach(m -> byName.putIfAbsent(m.name(), m));
        List<ManifestError> errors = new ArrayList<>();
        for (Manifest m : manifests) {
            for (String dependency : m.spec().dependsOn()) {
                if (!byName.containsKey(dependency) && !alsoKnown.contains(dependency)) {
                    errors.add(new ManifestError(m.location(), "spec.dependsOn",
                            "no sandbox named " + dependency + " is declared (a missing dependency)"));
                }
            }
        }
        Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
        for (String name : byName.keySet()) {
            List<String> path = new ArrayList<>();
            List<String> cycle = findCycle(name, byName, state, path);
            if (cycle != null) {
                String shown = String.join(" -> ", cycle);
                for (String member : Set.copyOf(cycle)) {
                    errors.add(new ManifestError(byName.get(member).location(), "spec.dependsOn",
                            "dependency cycle " + shown));
                }
            }
        }
        errors.sort(ManifestError.BY_POSITION);
        return errors;
    }

    private static List<String> findCycle(String name, Map<String, Manifest> byName, Map<String, Integer> state,
            List<String> path) {
        Integer s = state.get(name);
        if (s != null && s == 2) {
            return null;
        }
        if (s != null && s == 1) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
            cycle.add(name);
            return cycle;
        }
        Manifest m = byName.get(name);
        if (m == null) {
            return null;
        }
        state.put(name, 1);
        path.add(name);
        for (String dependency : m.spec().dependsOn()) {
            List<String> cycle = findCycle(dependency, byName, state, path);
            if (cycle != null) {
                state.put(name, 2);
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        state.put(name, 2);
        return null;
    }
}
