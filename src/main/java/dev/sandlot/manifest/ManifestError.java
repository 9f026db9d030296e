package dev.sandlot.manifest;

import java.util.Comparator;
import java.util.Objects;

/**
 * One problem in a manifest file, rendered by {@link #toString()} as
 * {@code FILE:LINE:COL: field.path: message} (or {@code FILE:LINE:COL: message} when the problem
 * is not about one field, such as a YAML syntax error).
 *
 * <p>The location is that of the offending node, or of the enclosing mapping for a missing field.
 * Messages never quote the file's content (a refused file may hold a secret); field paths name
 * keys, never values. The rendering escapes control characters, so a hostile file name cannot
 * forge extra lines in a log.
 *
 * @param fieldPath such as {@code spec.mounts[0].source}; empty when not about a field
 */
public record ManifestError(Location location, String fieldPath, String message) {

    /** Orders errors as an editor lists them: by file, then line, then column. */
    public static final Comparator<ManifestError> BY_POSITION = Comparator
            .comparing((ManifestError e) -> e.location().file())
            .thenComparingInt(e -> e.location().line())
            .thenComparingInt(e -> e.location().column());

    public ManifestError {
        Objects.requireNonNull(location, "location");
        fieldPath = fieldPath == null ? "" : fieldPath;
        Objects.requireNonNull(message, "message");
    }

    /** An error about a file as a whole (unreadable, too large, not a regular file), placed at 1:1. */
    public static ManifestError ofFile(String file, String message) {
        return new ManifestError(new Location(file, 1, 1), "", message);
    }

    @Override
    public String toString() {
        String where = Text.printable(location.file()) + ":" + location.line() + ":" + location.column() + ": ";
        String field = fieldPath.isEmpty() ? "" : Text.printable(fieldPath) + ": ";
        return where + field + Text.printable(message);
    }
}
