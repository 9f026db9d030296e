package dev.sandlot.manifest;

import java.nio.file.Path;
import java.util.Objects;

/** One manifest file as {@link ManifestFiles} found it: its bytes, or why they were not read. */
public sealed interface ManifestFile permits ManifestFile.Loaded, ManifestFile.Unreadable {

    Path path();

    /** The file's bytes, at most {@link ManifestParser#MAX_FILE_BYTES}; pass them to {@link ManifestParser}. */
    record Loaded(Path path, byte[] content) implements ManifestFile {
        public Loaded {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(content, "content");
        }
    }

    /**
     * A file that counts as a manifest but was not read: a symlink, a FIFO or other non-regular
     * file, too large, or an I/O error. The reason never includes content.
     */
    record Unreadable(Path path, String reason) implements ManifestFile {
        public Unreadable {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
