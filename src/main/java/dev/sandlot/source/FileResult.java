package dev.sandlot.source;

import dev.sandlot.manifest.Manifest;
import java.util.List;

/**
 * One manifest file as read now: its sandboxes when every document is valid, else its errors
 * (a file is judged as a whole, so that a half-written file never drops the sandboxes it held).
 */
public record FileResult(String file, List<Manifest> manifests, List<String> errors) {
    public FileResult {
        manifests = List.copyOf(manifests);
        errors = List.copyOf(errors);
    }

    public boolean valid() {
        return errors.isEmpty();
    }
}
