package dev.sandlot.rootfs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code syncfs(2)} on the file system holding a freshly unpacked tree, before it is renamed into
 * place: one call instead of an fsync per file, so that a crash never leaves a tree under its
 * final name with content still in the page cache only.
 */
final class Syncfs {
    private static final Logger LOG = LoggerFactory.getLogger(Syncfs.class);
    private static final int O_RDONLY = 0;

    interface CLib extends Library {
        int open(String path, int flags) throws LastErrorException;

        int syncfs(int fd) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private static volatile CLib libc;

    private Syncfs() {
    }

    /** Best effort: a failure is logged, and the tree is still complete once the kernel writes it back. */
    static void sync(Path dir) {
        try {
            CLib c = libc;
            if (c == null) {
                c = Native.load("c", CLib.class);
                libc = c;
            }
            int fd = c.open(dir.toString(), O_RDONLY);
            try {
                c.syncfs(fd);
            } finally {
                c.close(fd);
            }
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            LOG.warn("syncfs {} failed: {}", dir, e.getMessage());
        }
    }
}
