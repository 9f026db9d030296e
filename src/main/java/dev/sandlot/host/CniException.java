package dev.sandlot.host;

/**
 * A CNI operation failed: a network config that cannot be used, a missing plugin, or a plugin that
 * returned an error. When the plugin printed a CNI error result, {@link #code()}, {@link #cniMsg()}
 * and {@link #details()} carry it (CNI spec "Error"); otherwise {@code code} is {@link #NO_CODE}.
 */
public class CniException extends HostException {
    private static final long serialVersionUID = 1L;

    /** No CNI error result was available (a config problem, a crash, a timeout, garbage output). */
    public static final int NO_CODE = -1;
    /** CNI spec: "Container unknown or does not exist"; DEL treats it as done. */
    public static final int CONTAINER_UNKNOWN = 3;

    private final int code;
    private final String cniMsg;
    private final String details;

    public CniException(String message) {
        this(message, NO_CODE, "", "", null);
    }

    public CniException(String message, Throwable cause) {
        this(message, NO_CODE, "", "", cause);
    }

    public CniException(String message, int code, String cniMsg, String details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.cniMsg = cniMsg == null ? "" : cniMsg;
        this.details = details == null ? "" : details;
    }

    /** The plugin's CNI error code, or {@link #NO_CODE}. */
    public int code() {
        return code;
    }

    /** The plugin's {@code msg}, sanitized; empty when there was none. */
    public String cniMsg() {
        return cniMsg;
    }

    /** The plugin's {@code details}, sanitized; empty when there were none. */
    public String details() {
        return details;
    }
}
