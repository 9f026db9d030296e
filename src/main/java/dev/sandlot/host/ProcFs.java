package dev.sandlot.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads process state from /proc. runsc reports a killed sandbox as running until its zombie is
 * reaped (it only checks {@code kill(pid, 0)}), so whether a sandbox process still works is decided
 * here, from its state letter.
 */
public final class ProcFs {
    private final Path procRoot;

    public ProcFs() {
        this(Path.of("/proc"));
    }

    /** @param procRoot {@code /proc}, or a directory laid out like it in tests */
    public ProcFs(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** The process's stat, or empty if there is no such process (or it vanished while reading). */
    public Optional<ProcStat> stat(int pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            String line = new String(Files.readAllBytes(procRoot.resolve(Integer.toString(pid)).resolve("stat")),
                    StandardCharsets.UTF_8);
            return Optional.of(ProcStat.parse(line.strip()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Exists and is neither a zombie nor dead. */
    public boolean isRunning(int pid) {
        return stat(pid).map(s -> !s.exited()).orElse(false);
    }

    public Path procRoot() {
        return procRoot;
    }
}
