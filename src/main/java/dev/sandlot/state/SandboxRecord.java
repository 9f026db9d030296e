package dev.sandlot.state;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.sandlot.manifest.SandboxSpec;
import java.time.Instant;

/**
 * What sandlot wrote down before creating anything for an id: which sandbox it is and the exact
 * spec it was made from. The spec is kept so that a sandbox whose file stops parsing can still be
 * judged (and recreated) from its last known good spec.
 *
 * @param format     the on-disk format version this record was written with
 * @param sourceFile the manifest file the spec came from (for last-known-good and status)
 * @param rootfsDigest the content digest of the unpacked rootfs tree this incarnation runs on
 *                   ({@code <state-dir>/rootfs/sha256-<hex>}, for an archive or image rootfs); null for
 *                   a directory rootfs and in records written before trees existed. Trees no record
 *                   names are collected; a desired digest that differs replaces the sandbox.
 */
public record SandboxRecord(
        int format,
        String id,
        String name,
        String specHash,
        SandboxSpec spec,
        String sourceFile,
        Instant createdAt,
        String bootId,
        @JsonInclude(JsonInclude.Include.NON_NULL) String rootfsDigest) {

    /** A record of a sandbox on a directory rootfs (no unpacked tree). */
    public SandboxRecord(int format, String id, String name, String specHash, SandboxSpec spec, String sourceFile,
            Instant createdAt, String bootId) {
        this(format, id, name, specHash, spec, sourceFile, createdAt, bootId, null);
    }
}
