package dev.sandlot.rootfs;

/**
 * Bounds on what one archive or image may unpack to, so that a bomb (a huge declared size, a
 * gzip stream of zeros, millions of empty files) fails fast with a clear error instead of filling
 * the state dir's disk or the daemon's heap.
 *
 * @param maxBytes     total bytes of file content written for one tree (all layers together)
 * @param maxEntries   tar entries read for one tree (all layers together, whiteouts and skipped entries included)
 * @param maxJsonBytes size of {@code index.json}, a manifest or an image config
 * @param maxNameChars length of one entry name or link target
 * @param maxUserFileBytes size of the image's {@code /etc/passwd} or {@code /etc/group} read to resolve a user name
 */
public record Limits(long maxBytes, long maxEntries, int maxJsonBytes, int maxNameChars, int maxUserFileBytes) {
    public static final long DEFAULT_MAX_BYTES = 8L << 30;
    public static final long DEFAULT_MAX_ENTRIES = 500_000;
    public static final int DEFAULT_MAX_JSON_BYTES = 4 << 20;
    /** Linux's PATH_MAX. */
    public static final int DEFAULT_MAX_NAME_CHARS = 4096;
    public static final int DEFAULT_MAX_USER_FILE_BYTES = 1 << 20;

    public static final Limits DEFAULT = new Limits(DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, DEFAULT_MAX_JSON_BYTES,
            DEFAULT_MAX_NAME_CHARS, DEFAULT_MAX_USER_FILE_BYTES);

    public Limits {
        if (maxBytes <= 0 || maxEntries <= 0 || maxJsonBytes <= 0 || maxNameChars <= 0 || maxUserFileBytes <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
