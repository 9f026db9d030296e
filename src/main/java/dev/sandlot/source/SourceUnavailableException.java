package dev.sandlot.source;

/**
 * The manifests folder (or repository) cannot be read as a whole: missing, unreadable, not a
 * folder. Never taken to mean "no sandboxes": callers change nothing (kubelet's static pod source
 * sent an empty set here and removed every pod).
 */
public final class SourceUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SourceUnavailableException(String message) {
        super(message);
    }
}
