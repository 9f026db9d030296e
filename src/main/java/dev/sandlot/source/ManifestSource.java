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
}
