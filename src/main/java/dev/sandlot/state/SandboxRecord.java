package dev.sandlot.state;

import dev.sandlot.manifest.SandboxSpec;
import java.time.Instant;

/**
 * What sandlot wrote down before creating anything for an id: which sandbox it is and the exact
 * spec it was made from. The spec is kept so that a sandbox whose file stops parsing can still be
 * judged (and recreated) from its last known good spec.
 *
 * @param format     the on-disk format version this record was written with
 * @param sourceFile the manifest file the spec came from (for last-known-good and status)
 */
public record SandboxRecord(
        int format,
        String id,
        String name,
        String specHash,
        SandboxSpec spec,
        String sourceFile,
        Instant createdAt,
        String bootId) {
}
