package dev.sandlot.apply;

/** Converging one sandbox failed at a named step; the message says which sandbox, which step, and why. */
public final class ApplyException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String sandbox;
    private final String step;

    public ApplyException(String sandbox, String step, String message, Throwable cause) {
        super(sandbox + ": " + step + ": " + message, cause);
        this.sandbox = sandbox;
        this.step = step;
    }

    public String sandbox() {
        return sandbox;
    }

    public String step() {
        return step;
    }
}
