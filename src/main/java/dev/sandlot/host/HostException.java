package dev.sandlot.host;

/**
 * A host operation (runsc, CNI, netns, iptables, a bundle file) failed. The message names the
 * sandbox id, network or program involved and says what to do; it never carries raw control
 * characters from a program's output.
 */
public class HostException extends Exception {
    private static final long serialVersionUID = 1L;

    public HostException(String message) {
        super(message);
    }

    public HostException(String message, Throwable cause) {
        super(message, cause);
    }
}
