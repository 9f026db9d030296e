package dev.sandlot.rootfs;

/**
 * A root filesystem could not be made from what the manifest names: a missing or unreadable
 * archive or layout, a malformed or malicious archive, an image this host cannot run. The message
 * names the file and, where there is one, the fix; it never holds archive content beyond a
 * cleaned, shortened entry name.
 */
public final class RootfsException extends Exception {
    private static final long serialVersionUID = 1L;

    public RootfsException(String message) {
        super(message);
    }

    public RootfsException(String message, Throwable cause) {
        super(message, cause);
    }
}
