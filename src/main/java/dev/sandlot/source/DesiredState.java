package dev.sandlot.source;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A complete snapshot of what should run: sources publish only whole snapshots, never deltas.
 *
 * @param sandboxes  by name
 * @param fileErrors every manifest error, by file, already rendered as {@code FILE:LINE:COL: ...}
 */
public record DesiredState(Map<String, DesiredSandbox> sandboxes, Map<String, List<String>> fileErrors) {
    public DesiredState {
        sandboxes = Collections.unmodifiableMap(new TreeMap<>(sandboxes));
        TreeMap<String, List<String>> errors = new TreeMap<>();
        fileErrors.forEach((k, v) -> errors.put(k, List.copyOf(v)));
        fileErrors = Collections.unmodifiableMap(errors);
    }

    public static DesiredState empty() {
        return new DesiredState(Map.of(), Map.of());
    }

    public DesiredSandbox get(String name) {
        return sandboxes.get(name);
    }

    public boolean hasErrors() {
        return !fileErrors.isEmpty();
    }
}
