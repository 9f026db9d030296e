package dev.sandlot.source;

import java.time.Instant;

/**
 * What a source last applied, for the status file and metrics.
 *
 * @param kind        "folder" or "git"
 * @param location    the folder, or the repository URL (without credentials)
 * @param revision    the applied commit id; null for a folder, or before any commit was applied
 * @param appliedAt   when that commit became the desired state; null as for revision
 * @param problem     why the newest revision is not applied (a failed fetch, a refused commit), or null
 */
public record SourceStatus(String kind, String location, String revision, Instant appliedAt, String problem) {
}
