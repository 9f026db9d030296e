package dev.sandlot.manifest;

import java.util.Map;
import java.util.Objects;

/**
 * One validated sandbox document: identity ({@code metadata.name}), labels that never affect the
 * sandbox, and the spec with every default applied. Only the parser and validator create these, so
 * holding one means the document passed every rule.
 *
 * @param location       where the document starts, for messages ("FILE:LINE:COL")
 * @param fieldLocations where some fields' values are, by field path ({@code spec.dependsOn[0]}), for
 *                       the checks that run across files after parsing
 */
public record Manifest(String name, Map<String, String> labels, SandboxSpec spec, Location location,
        Map<String, Location> fieldLocations) {
    public Manifest {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(location, "location");
        fieldLocations = Map.copyOf(fieldLocations);
    }

    /** A manifest that knows only where its document starts (rebuilt from a record, or in tests). */
    public Manifest(String name, Map<String, String> labels, SandboxSpec spec, Location location) {
        this(name, labels, spec, location, Map.of());
    }

    /** Where the value at {@code fieldPath} is, or where the document starts when that is not known. */
    public Location locationOf(String fieldPath) {
        return fieldLocations.getOrDefault(fieldPath, location);
    }

    /** The canonical hash of the spec: what decides whether a running sandbox must be replaced. */
    public String specHash() {
        return SpecHash.of(spec);
    }
}
