package dev.sandlot.observe;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The host at one instant, as far as sandlot owns it: every incarnation, grouped by sandbox name. */
public record Observation(Map<String, List<Incarnation>> byName, Instant at) {
    public Observation {
        TreeMap<String, List<Incarnation>> copy = new TreeMap<>();
        byName.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        byName = java.util.Collections.unmodifiableMap(copy);
    }

    public List<Incarnation> of(String name) {
        return byName.getOrDefault(name, List.of());
    }

    public List<Incarnation> all() {
        return byName.values().stream().flatMap(List::stream).toList();
    }
}
