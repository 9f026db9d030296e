package dev.sandlot.manifest;

/**
 * Something unexpected went wrong while reading a manifest (a bug, not a bad file: bad files give
 * {@link ManifestError}s). Callers treat it like an unparseable file, so that one file can never
 * stop the others from being read. The message names the file but never quotes its content.
 */
public final class ManifestException extends RuntimeException {
    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
