package dev.sandlot.source;

import java.util.List;

/**
 * Where desired state comes from: the manifests folder, or a git repository. A source reads a
 * complete snapshot of every manifest file each time; it never says "empty" when it cannot read
 * (that is {@link SourceUnavailableException}, and nothing changes).
 */
public interface ManifestSource {
    /** Every manifest file now, parsed. */
    List<FileResult> read() throws SourceUnavailableException;

    /** Something for `status` and logs: "folder /etc/sandlot/manifests", "git ... at abc123". */
    String describe();

    /** Asks for a fresh read at once (SIGHUP, `sandlot sync`); a folder needs nothing. */
    default void refreshNow() {
    }

    /** How often the daemon should ask for a fresh read ({@link #refreshNow()} then a read); null: never. */
    default java.time.Duration pollInterval() {
        return null;
    }

    /** What is applied now, for status and metrics. */
    default SourceStatus status() {
        return new SourceStatus("folder", describe(), null, null, null);
    }
}
