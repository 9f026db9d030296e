package dev.sandlot.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * sshd's StrictModes for manifests: sandlot runs as root and turns these files into processes, so
 * a file (or a folder on the way to it) that someone other than root could change is refused.
 * Files and folders must be owned by root (or by the user sandlot runs as) and not writable by
 * group or others; an ancestor folder may be others-writable only with the sticky bit set and root
 * as owner (as /tmp is), since then nobody else can rename or replace what root created in it.
 */
public final class FileTrust {
    private static final int GROUP_OR_OTHER_WRITE = 0022;
    private static final int STICKY = 01000;

    private final long trustedUid;

    public FileTrust(long trustedUid) {
        this.trustedUid = trustedUid;
    }

    /** Trusts root and the user this process runs as. */
    public static FileTrust forCurrentUser() {
        long uid = 0;
        try {
            uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // assume root, the normal case for sandlot
        }
        return new FileTrust(uid);
    }

    /**
     * Why the folder (or a folder above it) is not trusted, or null. Both the path as written and
     * the real path are judged (as sshd does): a symlink on the way must sit in trusted folders, and
     * so must what it leads to.
     */
    public String folderProblem(Path folder) {
        Path dir = folder.toAbsolutePath().normalize();
        String problem = chainProblem(dir);
        if (problem != null) {
            return problem;
        }
        try {
            Path real = folder.toRealPath();
            return real.equals(dir) ? null : chainProblem(real);
        } catch (IOException e) {
            return null; // missing or unreadable: reading the folder reports the real problem
        }
    }

    private String chainProblem(Path dir) {
        boolean self = true;
        for (Path p = dir; p != null; p = p.getParent()) {
            String problem = problem(p, !self);
            if (problem != null) {
                return (self ? "manifests folder " : "folder above the manifests, ") + p + ": " + problem;
            }
            self = false;
        }
        return null;
    }

    /** Why the file is not trusted, or null. */
    public String fileProblem(Path file) {
        return problem(file, false);
    }

    private String problem(Path p, boolean ancestor) {
        try {
            // A symlink's own mode is always 0777 and means nothing (and "chmod go-w" on it would
            // change its target): folders are also judged by their real path, and a symlinked file
            // is refused unread where files are read.
            if (Files.isSymbolicLink(p)) {
                return null;
            }
            long uid = ((Number) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            if (uid != 0 && uid != trustedUid) {
                return "owned by uid " + uid + ", not root; refused (chown root " + p + ")";
            }
            if ((mode & GROUP_OR_OTHER_WRITE) != 0) {
                if (ancestor && uid == 0 && (mode & STICKY) != 0) {
                    return null;
                }
                return "writable by group or others; refused (chmod go-w " + p + ")";
            }
            return null;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null; // unreadable attributes: reading the file reports the real problem
        }
    }
}
