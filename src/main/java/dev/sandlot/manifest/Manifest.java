package dev.sandlot.manifest;

import java.util.Map;
import java.util.Objects;

/**
 * One validated sandbox document: identity ({@code metadata.name}), labels that never affect the
 * sandbox, and the spec with every default applied. Only the parser and validator create these, so
 * holding one means the document passed every rule.
 *
 * <p>{@code location} is where the document starts, for messages ("FILE:LINE:COL");
 * {@code fieldLocations} is where some fields' values are, by field path ({@code spec.dependsOn[0]}),
 * for the checks that run across files after parsing.
 */
public final class Manifest {
    private final String name;
    private final Map<String, String> labels;
    private final SandboxSpec spec;
    private final Location location;
    private final Map<String, Location> fieldLocations;
    // Computed once: the planner, the status builder and the desired-state fingerprint ask for it
    // several times per sandbox on every pass, and each computation serializes the whole spec.
    private final String specHash;

    public Manifest(String name, Map<String, String> labels, SandboxSpec spec, Location location,
            Map<String, Location> fieldLocations) {
        this.name = Objects.requireNonNull(name, "name");
        this.labels = Map.copyOf(labels);
        this.spec = Objects.requireNonNull(spec, "spec");
        this.location = Objects.requireNonNull(location, "location");
        this.fieldLocations = Map.copyOf(fieldLocations);
        this.specHash = SpecHash.of(spec);
    }

    /** A manifest that knows only where its document starts (rebuilt from a record, or in tests). */
    public Manifest(String name, Map<String, String> labels, SandboxSpec spec, Location location) {
        this(name, labels, spec, location, Map.of());
    }

    public String name() {
        return name;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public SandboxSpec spec() {
        return spec;
    }

    public Location location() {
        return location;
    }

    public Map<String, Location> fieldLocations() {
        return fieldLocations;
    }

    /** Where the value at {@code fieldPath} is, or where the document starts when that is not known. */
    public Location locationOf(String fieldPath) {
        return fieldLocations.getOrDefault(fieldPath, location);
    }

    /** The canonical hash of the spec: what decides whether a running sandbox must be replaced. */
    public String specHash() {
        return specHash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Manifest m && name.equals(m.name) && labels.equals(m.labels) && spec.equals(m.spec)
                && location.equals(m.location) && fieldLocations.equals(m.fieldLocations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, labels, spec, location, fieldLocations);
    }

    @Override
    public String toString() {
        return "Manifest[name=" + name + ", labels=" + labels + ", spec=" + spec + ", location=" + location + "]";
    }
}
