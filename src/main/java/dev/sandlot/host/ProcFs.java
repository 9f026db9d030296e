package dev.sandlot.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads process state from /proc. runsc reports a killed sandbox as running until its zombie is
 * reaped (it only checks {@code kill(pid, 0)}), so whether a sandbox process still works is decided
 * here, from its state letter.
 */
public final class ProcFs {
    /** More than any stat line: 52 fields of at most 20 digits and a 16-byte command name. */
    private static final int STAT_LIMIT = 2048;
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
        try (InputStream in = Files.newInputStream(procRoot.resolve(Integer.toString(pid)).resolve("stat"))) {
            // One read into a buffer that fits any stat line: readAllBytes would allocate 8 KiB for
            // a file whose size reads as 0, on every check of every sandbox.
            byte[] bytes = new byte[STAT_LIMIT];
            int length = in.readNBytes(bytes, 0, STAT_LIMIT);
            String line = new String(bytes, 0, length, StandardCharsets.UTF_8);
            return Optional.of(ProcStat.parse(line.strip()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The process's arguments, or empty if there is no such process (or it vanished while reading). */
    public Optional<List<String>> cmdline(int pid) {
        if (pid <= 0) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Files.readAllBytes(procRoot.resolve(Integer.toString(pid)).resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == 0) {
                    args.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < bytes.length) {
                args.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
            }
            return Optional.of(args);
        } catch (IOException e) {
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
