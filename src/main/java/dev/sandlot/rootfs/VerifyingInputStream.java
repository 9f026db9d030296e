package dev.sandlot.rootfs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Digests everything read through it; at end of stream, checks the size and digest it was opened
 * with, and never reads more than the expected size (plus one byte, to notice a longer file).
 */
final class VerifyingInputStream extends FilterInputStream {
    private final String expectedDigest;
    private final long expectedSize;
    private final String what;
    private final String algorithm;
    private final MessageDigest digest;
    private long count;
    private boolean verified;

    /**
     * @param expectedDigest {@code sha256:...} or {@code sha512:...}
     * @param expectedSize   exact size, or -1 when only the digest is known
     * @param what           names the content in messages
     */
    VerifyingInputStream(InputStream in, String expectedDigest, long expectedSize, String what) {
        super(in);
        this.expectedDigest = expectedDigest;
        this.expectedSize = expectedSize;
        this.what = what;
        this.algorithm = expectedDigest.substring(0, expectedDigest.indexOf(':'));
        this.digest = Digests.newDigest(algorithm);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (expectedSize >= 0) {
            len = (int) Math.min(len, expectedSize + 1 - count);
            if (len <= 0) {
                throw new ContentMismatchException(what + " is larger than the " + expectedSize + " bytes its"
                        + " descriptor says");
            }
        }
        int n = super.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        digest.update(b, off, n);
        count += n;
        if (expectedSize >= 0 && count > expectedSize) {
            throw new ContentMismatchException(what + " is larger than the " + expectedSize + " bytes its"
                    + " descriptor says");
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Reads the rest, so that the whole content is checked, whatever the readers above left unread. */
    void drain() throws IOException {
        byte[] buffer = new byte[1 << 16];
        while (read(buffer, 0, buffer.length) >= 0) {
            // digesting
        }
    }

    private void verify() throws ContentMismatchException {
        if (verified) {
            return;
        }
        verified = true;
        if (expectedSize >= 0 && count != expectedSize) {
            throw new ContentMismatchException(what + " has " + count + " bytes where its descriptor says "
                    + expectedSize);
        }
        String actual = Digests.format(algorithm, digest);
        if (!actual.equals(expectedDigest)) {
            throw new ContentMismatchException(what + " has digest " + actual + ", not " + expectedDigest);
        }
    }
}
