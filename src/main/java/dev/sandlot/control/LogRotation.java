package dev.sandlot.control;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps sandbox logs ({@code STATE/logs/NAME.log}) by copy-and-truncate rotation: the sandbox holds
 * the file open in append mode and never reopens it, so the file must stay the same inode. Keeps
 * {@code NAME.log.1} ... {@code NAME.log.N}.
 */
public final class LogRotation {
    private static final Logger LOG = LoggerFactory.getLogger(LogRotation.class);
    /** Each sandbox's log is cut past 10 MiB, keeping 3 older ones: at most 40 MiB per sandbox. */
    static final long MAX_BYTES = 10L << 20;
    static final int KEEP = 3;
    private final Path dir;
    private final long maxBytes;
    private final int keep;

    LogRotation(Path dir, long maxBytes, int keep) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    /**
     * The rotation of every sandbox log under a state dir, as the daemon does at each resync and
     * the one-shot commands that start sandboxes ({@code apply}, {@code down}) at the end of theirs.
     */
    public static LogRotation sandboxLogs(Path stateDir) {
        return new LogRotation(stateDir.resolve("logs"), MAX_BYTES, KEEP);
    }

    public void rotate() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir, "*.log")) {
            for (Path log : logs) {
                if (Files.isRegularFile(log) && Files.size(log) > maxBytes) {
                    rotate(log);
                }
            }
        } catch (IOException e) {
            LOG.warn("log rotation in {} failed: {}", dir, e.getMessage());
        }
    }

    void rotate(Path log) throws IOException {
        for (int i = keep - 1; i >= 1; i--) {
            Path from = log.resolveSibling(log.getFileName() + "." + i);
            if (Files.exists(from)) {
                Files.move(from, log.resolveSibling(log.getFileName() + "." + (i + 1)), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(log, log.resolveSibling(log.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel channel = FileChannel.open(log, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
    }
}
