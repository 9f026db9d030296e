package dev.sandlot.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads what a sandbox's cgroup (its {@code linux.cgroupsPath}) uses, on cgroup v2 (unified) or v1
 * (one hierarchy per controller, as on hybrid hosts). Nothing here writes.
 */
public final class Cgroups {
    private final Path root;

    public Cgroups() {
        this(Path.of("/sys/fs/cgroup"));
    }

    /** @param root the cgroup mount point, or a directory laid out like it in tests */
    public Cgroups(Path root) {
        this.root = root;
    }

    /**
     * Memory in bytes, CPU time in nanoseconds and number of tasks; each field null when the
     * controller does not report it.
     */
    public record Usage(Long memoryBytes, Long cpuNanos, Long pids) {
    }

    public boolean unified() {
        return Files.exists(root.resolve("cgroup.controllers"));
    }

    /** The cgroup's usage, or empty when the cgroup does not exist (the sandbox is gone). */
    public Optional<Usage> usage(String cgroupsPath) {
        String rel = relative(cgroupsPath);
        Usage u;
        if (unified()) {
            Path dir = root.resolve(rel);
            if (!Files.isDirectory(dir)) {
                return Optional.empty();
            }
            OptionalLong cpuMicros = keyed(dir.resolve("cpu.stat"), "usage_usec");
            u = new Usage(number(dir.resolve("memory.current")),
                    cpuMicros.isPresent() ? cpuMicros.getAsLong() * 1000 : null, number(dir.resolve("pids.current")));
        } else {
            Path memory = root.resolve("memory").resolve(rel);
            Path cpu = firstDir(List.of(root.resolve("cpuacct").resolve(rel), root.resolve("cpu,cpuacct").resolve(rel)));
            Path pids = root.resolve("pids").resolve(rel);
            if (!Files.isDirectory(memory) && cpu == null && !Files.isDirectory(pids)) {
                return Optional.empty();
            }
            u = new Usage(number(memory.resolve("memory.usage_in_bytes")),
                    cpu == null ? null : number(cpu.resolve("cpuacct.usage")), number(pids.resolve("pids.current")));
        }
        return Optional.of(u);
    }

    /**
     * Removes the sandbox's (empty) cgroup from every hierarchy. {@code runsc delete} does this for
     * a container it knows, but a {@code runsc run} that fails after making the cgroup leaves it
     * behind with no container to delete. Only rmdir is used, so the kernel refuses a cgroup that
     * still has processes or children. A cgroup that is already gone is success.
     *
     * @return how many directories were removed
     * @throws HostException naming the cgroup when one cannot be removed (still in use)
     */
    public int remove(String cgroupsPath) throws HostException {
        String rel = relative(cgroupsPath);
        List<Path> hierarchies = new java.util.ArrayList<>();
        if (unified()) {
            hierarchies.add(root);
        } else {
            try (java.util.stream.Stream<Path> dirs = Files.list(root)) {
                dirs.filter(d -> Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted()
                        .forEach(hierarchies::add);
            } catch (IOException e) {
                throw new HostException("cannot list cgroup hierarchies in " + root + ": " + e.getMessage(), e);
            }
        }
        int removed = 0;
        for (Path h : hierarchies) {
            Path dir = h.resolve(rel);
            if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            try {
                Files.delete(dir);
                removed++;
            } catch (java.nio.file.NoSuchFileException e) {
                // raced with runsc delete: gone is what we want
            } catch (IOException e) {
                throw new HostException("cannot remove cgroup " + dir + " (" + e.getMessage() + "); it still has"
                        + " processes or child cgroups: stop the sandbox first", e);
            }
        }
        return removed;
    }

    private static String relative(String cgroupsPath) {
        String rel = cgroupsPath.startsWith("/") ? cgroupsPath.substring(1) : cgroupsPath;
        if (rel.isEmpty() || rel.contains("..") || rel.contains(":")) {
            throw new IllegalArgumentException("not a cgroup path sandlot makes: " + Text.clean(cgroupsPath, 200));
        }
        return rel;
    }

    private static Path firstDir(List<Path> candidates) {
        return candidates.stream().filter(Files::isDirectory).findFirst().orElse(null);
    }

    private static Long number(Path file) {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return s.equals("max") ? null : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    private static OptionalLong keyed(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
                String[] kv = line.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    return OptionalLong.of(Long.parseLong(kv[1]));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // absent or unreadable: unknown
        }
        return OptionalLong.empty();
    }
}
