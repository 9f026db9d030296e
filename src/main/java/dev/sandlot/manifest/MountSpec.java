package dev.sandlot.manifest;

/** A host bind mount; read-only unless the manifest says {@code readOnly: false}. */
public record MountSpec(String source, String destination, boolean readOnly) {
}
