package dev.sandlot.apply;

/** Converging one sandbox failed at a named step; the message says which sandbox, which step, and why. */
public final class ApplyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String sandbox;
    private final String step;
    private final boolean blocking;

    public ApplyException(String sandbox, String step, String message, Throwable cause) {
        this(sandbox, step, message, cause, true);
    }

    /**
     * @param blocking false when what is left can no longer get in a new incarnation's way (the
     *                 old process and netns are gone; only a record waiting for its DEL remains):
     *                 the sandbox may then be created again while the leftover is retried
     */
    public ApplyException(String sandbox, String step, String message, Throwable cause, boolean blocking) {
        super(sandbox + ": " + step + ": " + message, cause);
        this.sandbox = sandbox;
        this.step = step;
        this.blocking = blocking;
    }

    public boolean blocking() {
        return blocking;
    }

    public String sandbox() {
        return sandbox;
    }

    public String step() {
        return step;
    }
}
