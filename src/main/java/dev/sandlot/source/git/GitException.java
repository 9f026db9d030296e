package dev.sandlot.source.git;

/** Fetching or checking out failed; the message names the repository (never its credentials) and why. */
final class GitException extends Exception {
    private static final long serialVersionUID = 1L;

    GitException(String message) {
        super(message);
    }

    GitException(String message, Throwable cause) {
        super(message, cause);
    }
}
