package dev.sandlot.rootfs;

import java.io.IOException;

/** Bytes read do not match the digest or size they were named by (a corrupt blob, an archive rewritten mid-read). */
final class ContentMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    ContentMismatchException(String message) {
        super(message);
    }
}
