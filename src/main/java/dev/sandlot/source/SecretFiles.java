package dev.sandlot.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads files that hold secrets ({@code spec.process.envFrom} files, git credentials) with
 * sshd's StrictModes for private keys: the file must be a regular file (not a symlink) owned by
 * root (or the user sandlot runs as) and neither readable nor writable by group or others; every
 * folder above it root-owned and not writable by group or others (others-writable only with the
 * sticky bit, as /tmp). Messages name the file and the fix, never its content.
 */
public final class SecretFiles {
    private static final int GROUP_OR_OTHER_ANY = 0077;
    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;

    private SecretFiles() {
    }

    /** The file cannot be used; the message says which file, why, and what to do. */
    public static final class UnsafeFileException extends IOException {
        private static final long serialVersionUID = 1L;

        public UnsafeFileException(String message) {
            super(message);
        }
    }

    /** The file's bytes, at most {@code maxBytes}, after the checks above. */
    public static byte[] read(Path file, int maxBytes) throws UnsafeFileException {
        if (!file.isAbsolute()) {
            throw new UnsafeFileException(file + ": not an absolute path");
        }
        long self = selfUid();
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new UnsafeFileException(file + ": no such file on this host");
        } catch (AccessDeniedException e) {
            throw new UnsafeFileException(file + ": permission denied");
        } catch (IOException e) {
            throw new UnsafeFileException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        if (attributes.isSymbolicLink()) {
            throw new UnsafeFileException(file + ": is a symlink; name the file itself");
        }
        if (!attributes.isRegularFile()) {
            throw new UnsafeFileException(file + ": not a regular file");
        }
        String problem = problem(file, self, GROUP_OR_OTHER_ANY, false);
        if (problem != null) {
            throw new UnsafeFileException(file + ": " + problem);
        }
        for (Path p = file.getParent(); p != null; p = p.getParent()) {
            String folder = problem(p, self, GROUP_OR_OTHER_WRITE, true);
            if (folder != null) {
                throw new UnsafeFileException(file + ": folder " + p + " above it is " + folder);
            }
        }
        if (attributes.size() > maxBytes) {
            throw new UnsafeFileException(file + ": larger than " + maxBytes / 1024 + " KiB");
        }
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] content = in.readNBytes(maxBytes + 1);
            if (content.length > maxBytes) {
                throw new UnsafeFileException(file + ": larger than " + maxBytes / 1024 + " KiB");
            }
            return content;
        } catch (UnsafeFileException e) {
            throw e;
        } catch (IOException e) {
            throw new UnsafeFileException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String problem(Path p, long self, int forbidden, boolean folder) {
        try {
            long uid = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (uid != 0 && uid != self) {
                return "owned by uid " + uid + ", not root; refused (chown root " + p + ")";
            }
            if ((mode & forbidden) != 0) {
                if (folder && uid == 0 && (mode & STICKY) != 0) {
                    return null;
                }
                return folder ? "writable by group or others; refused (chmod go-w " + p + ")"
                        : "readable or writable by group or others; refused (chmod 600 " + p + ")";
            }
            return null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "of unknown owner or mode (" + e.getClass().getSimpleName() + ")";
        }
    }

    private static long selfUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0;
        }
    }
}
