package dev.sandlot.manifest;

import java.util.List;

/**
 * What one manifest file says: the sandboxes of its fully valid documents, and every error found.
 *
 * <p>A file with any error should be treated as not parsed as a whole: DESIGN.md §1 keeps the
 * last known good per file. {@link #manifests()} still lists the documents that passed, so that
 * {@code validate} can count them.
 *
 * @param manifests valid documents in file order, defaults applied
 * @param errors    every error, ordered by position
 * @param namesWithErrors names of the documents that have errors: declared, though not valid, so
 *                  {@code validate} does not call a dependency on one of them missing
 */
public record ParseResult(List<Manifest> manifests, List<ManifestError> errors, List<String> namesWithErrors) {
    public ParseResult {
        manifests = List.copyOf(manifests);
        errors = List.copyOf(errors);
        namesWithErrors = List.copyOf(namesWithErrors);
    }

    public ParseResult(List<Manifest> manifests, List<ManifestError> errors) {
        this(manifests, errors, List.of());
    }

    /** True when the file has no error at all (and so at least one manifest). */
    public boolean valid() {
        return errors.isEmpty();
    }
}
