package dev.sandlot.manifest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code dependsOn} across files: every name must be declared somewhere, and there must be no
 * cycle. Per-file validation cannot see this, so the folder source ({@code SnapshotMerger}) and
 * {@code validate} on a folder or on several files run it on all manifests together. Each error
 * points at the offending {@code spec.dependsOn[i]} item.
 */
public final class Dependencies {
    private Dependencies() {
    }

    /**
     * Errors for manifests that depend on a name neither among {@code manifests} nor in
     * {@code alsoKnown}, and for every member of a cycle.
     */
    public static List<ManifestError> check(List<Manifest> manifests, Set<String> alsoKnown) {
        return check(manifests, alsoKnown::contains);
    }

    /**
     * Like {@link #check(List, Set)}, with {@code declaredElsewhere} deciding about names not among
     * {@code manifests} ({@code name -> true} when the manifests are not all there is, so that
     * only cycles can be told).
     */
    public static List<ManifestError> check(List<Manifest> manifests, Predicate<String> declaredElsewhere) {
        Map<String, Manifest> byName = new LinkedHashMap<>();
        manifests.forEach(m -> byName.putIfAbsent(m.name(), m));
        List<ManifestError> errors = new ArrayList<>();
        for (Manifest m : manifests) {
            List<String> dependencies = m.spec().dependsOn();
            for (int i = 0; i < dependencies.size(); i++) {
                String dependency = dependencies.get(i);
                if (!byName.containsKey(dependency) && !declaredElsewhere.test(dependency)) {
                    errors.add(at(m, i, "no sandbox named " + dependency + " is declared (a missing dependency)"));
                }
            }
        }
        Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
        for (String name : byName.keySet()) {
            List<String> path = new ArrayList<>();
            List<String> cycle = findCycle(name, byName, state, path);
            if (cycle != null) {
                String shown = String.join(" -> ", cycle);
                // Each member is blamed at the item naming the next one round the cycle.
                for (int k = 0; k + 1 < cycle.size(); k++) {
                    Manifest member = byName.get(cycle.get(k));
                    errors.add(at(member, member.spec().dependsOn().indexOf(cycle.get(k + 1)),
                            "dependency cycle " + shown));
                }
            }
        }
        errors.sort(ManifestError.BY_POSITION);
        return errors;
    }

    private static ManifestError at(Manifest m, int index, String message) {
        String field = Text.index("spec.dependsOn", index);
        return new ManifestError(m.locationOf(field), field, message);
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
