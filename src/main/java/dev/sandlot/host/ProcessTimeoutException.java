package dev.sandlot.host;

import java.io.IOException;

/** A program ran past its timeout and was killed together with its descendants. */
public final class ProcessTimeoutException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProcessTimeoutException(String message) {
        super(message);
    }
}
