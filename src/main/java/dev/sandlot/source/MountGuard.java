package dev.sandlot.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.sandlot.state.AtomicFiles;

/**
 * Tells an unmounted manifests folder from an emptied one. When the folder is a mount point (an
 * NFS share, a bind mount of a config volume) and its file system goes away, the directory below
 * is still there, usually empty: read naively, that says "no sandboxes" and would tear every one
 * down (kubelet's static pods had this flaw). The guard remembers, in the state dir, that the
 * folder was a mount point when last read, and refuses the folder while it no longer is.
 */
public final class MountGuard {
    private final Path marker;
    private final Path mountinfo;
    private final boolean readOnly;

    /** A guard that remembers (for apply and run). */
    public MountGuard(Path stateDir) {
        this(stateDir.resolve("manifests-mount-point"), Path.of("/proc/self/mountinfo"), false);
    }

    /** A guard that only checks, for commands that never write (plan, status). */
    public static MountGuard checkOnly(Path stateDir) {
        return new MountGuard(stateDir.resolve("manifests-mount-point"), Path.of("/proc/self/mountinfo"), true);
    }

    MountGuard(Path marker, Path mountinfo, boolean readOnly) {
        this.marker = marker;
        this.mountinfo = mountinfo;
        this.readOnly = readOnly;
    }

    /** Throws when {@code folder} was a mount point at the last good read and is not one now. */
    public void check(Path folder) throws SourceUnavailableException {
        Path real = realPath(folder);
        boolean mounted = isMountPoint(real);
        String remembered = remembered();
        if (!mounted && real.toString().equals(remembered)) {
            throw new SourceUnavailableException("manifests folder " + folder + " was a mount point and is not"
                    + " mounted now; nothing was changed (mount it again; if it is meant to be a plain folder"
                    + " from now on, remove " + marker + ")");
        }
    }

    /** After a good read: remember whether the folder is a mount point. */
    public void remember(Path folder) {
        if (readOnly) {
            return;
        }
        Path real = realPath(folder);
        try {
            if (isMountPoint(real)) {
                if (!real.toString().equals(remembered())) {
                    AtomicFiles.write(marker, real.toString().getBytes(StandardCharsets.UTF_8));
                }
            } else if (remembered() != null && !real.toString().equals(remembered())) {
                Files.deleteIfExists(marker); // the folder setting changed; forget the old one
            }
        } catch (IOException e) {
            // The guard is a safety net; failing to update it never stops a read.
        }
    }

    private String remembered() {
        try {
            return Files.readString(marker, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            return null;
        }
    }

    boolean isMountPoint(Path real) {
        try {
            for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
                String[] fields = line.split(" ");
                if (fields.length > 4 && unescape(fields[4]).equals(real.toString())) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static Path realPath(Path folder) {
        try {
            return folder.toRealPath();
        } catch (IOException e) {
            return folder.toAbsolutePath().normalize();
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    static String unescape(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }
}
