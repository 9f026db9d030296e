package dev.sandlot.source;

import dev.sandlot.manifest.Manifest;
import java.util.Objects;

/**
 * One sandbox that should run, and where that wish comes from.
 *
 * @param heldError null normally; otherwise the error of a file that no longer parses, while this
 *                  sandbox runs on that file's last known good spec
 */
public record DesiredSandbox(Manifest manifest, String sourceFile, String heldError) {
    public DesiredSandbox {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(sourceFile, "sourceFile");
    }

    public static DesiredSandbox of(Manifest manifest, String sourceFile) {
        return new DesiredSandbox(manifest, sourceFile, null);
    }

    public String name() {
        return manifest.name();
    }

    public String specHash() {
        return manifest.specHash();
    }
}
