package dev.sandlot.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Content digests as OCI writes them ({@code sha256:<64 hex>}), and the tree folder each names. */
final class Digests {
    /** The algorithms OCI registers; anything else is refused before it can become a path. */
    private static final Pattern DIGEST = Pattern.compile("(sha256:[a-f0-9]{64})|(sha512:[a-f0-9]{128})");
    private static final Pattern TREE_NAME = Pattern.compile("(sha256-[a-f0-9]{64})|(sha512-[a-f0-9]{128})");

    private Digests() {
    }

    static boolean valid(String digest) {
        return digest != null && DIGEST.matcher(digest).matches();
    }

    static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm.equals("sha512") ? "SHA-512" : "SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks " + algorithm, e);
        }
    }

    static String format(String algorithm, MessageDigest digest) {
        return algorithm + ":" + HexFormat.of().formatHex(digest.digest());
    }

    /** The sha256 of a whole file, read in large blocks. */
    static String sha256(Path file) throws IOException {
        MessageDigest md = newDigest("sha256");
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
            }
        }
        return format("sha256", md);
    }

    /**
     * The folder name of the tree unpacked from content with this digest: {@code sha256-<hex>}
     * (a ':' in a rootfs path is best kept away from mount option parsers).
     */
    static String treeName(String digest) {
        if (!valid(digest)) {
            throw new IllegalArgumentException("not a content digest: " + digest);
        }
        return digest.replace(':', '-');
    }

    /** The digest a tree folder name stands for, or null when the name is not a tree's. */
    static String fromTreeName(String name) {
        return TREE_NAME.matcher(name).matches() ? name.replaceFirst("-", ":") : null;
    }
}
