package dev.sandlot.manifest;

import java.util.Map;
import java.util.Objects;

/**
 * One validated sandbox document: identity ({@code metadata.name}), labels that never affect the
 * sandbox, and the spec with every default applied. Only the parser and validator create these, so
 * holding one means the document passed every rule.
 *
 * @param location where the document starts, for messages ("FILE:LINE:COL")
 */
public record Manifest(String name, Map<String, String> labels, SandboxSpec spec, Location location) {
    public Manifest {
        Objects.requireNonNull(name, "name");
        labels = Map.copyOf(labels);
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(location, "location");
    }

    /** The canonical hash of the spec: what decides whether a running sandbox must be replaced. */
    public String specHash() {
        return SpecHash.of(spec);
    }
}
