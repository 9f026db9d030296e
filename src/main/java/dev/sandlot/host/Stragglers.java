package dev.sandlot.host;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds what a killed daemon left running: CNI plugins working on one of sandlot's own sandbox
 * ids, and runsc command-line calls on sandlot's own runsc root. A daemon killed with -9 cannot
 * kill its children, and a hung one (say inside host-local's lock) would block every later ADD on
 * that network. A starting daemon holds the run lock, so no other sandlot can own these any more.
 *
 * <p>Never matched: the sandboxes themselves ({@code runsc-sandbox}, {@code runsc-gofer}; runsc
 * renames their argv[0]), {@code runsc exec} sessions a user started, and read-only runsc calls
 * ({@code list}, {@code state}) of {@code status} or {@code plan} running beside the daemon.
 */
public final class Stragglers {
    private static final Logger LOG = LoggerFactory.getLogger(Stragglers.class);
    private static final Set<String> MUTATING = Set.of("run", "create", "start", "kill", "delete");
    private final Path procRoot;

    public Stragglers(Path procRoot) {
        this.procRoot = procRoot;
    }

    /** The pids that are stragglers of {@code ids} and {@code runscRoot}, excluding this process. */
    public List<Long> find(Set<String> ids, Path runscRoot) {
        List<Long> found = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(procRoot, "[0-9]*")) {
            for (Path dir : entries) {
                long pid;
                try {
                    pid = Long.parseLong(dir.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid != self && (isOurPlugin(dir, ids) || isOurRunscCall(dir, runscRoot))) {
                    found.add(pid);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", procRoot, e.getMessage());
        }
        return found;
    }

    /** Kills the stragglers and what they started; returns how many were found. */
    public int kill(Set<String> ids, Path runscRoot) {
        List<Long> pids = find(ids, runscRoot);
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                LOG.warn("killing pid {} left running by an earlier sandlot", pid);
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            });
        }
        return pids.size();
    }

    private static boolean isOurPlugin(Path dir, Set<String> ids) {
        List<String> env = nulSeparated(dir.resolve("environ"));
        if (env.stream().noneMatch(v -> v.startsWith("CNI_COMMAND="))) {
            return false;
        }
        return env.stream().anyMatch(v -> v.startsWith("CNI_CONTAINERID=")
                && ids.contains(v.substring("CNI_CONTAINERID=".length())));
    }

    private static boolean isOurRunscCall(Path dir, Path runscRoot) {
        List<String> argv = nulSeparated(dir.resolve("cmdline"));
        if (argv.isEmpty() || !Path.of(argv.get(0)).getFileName().toString().equals("runsc")) {
            return false;
        }
        int root = argv.indexOf("--root");
        boolean ours = root >= 0 && root + 1 < argv.size() && argv.get(root + 1).equals(runscRoot.toString());
        // Only calls that change the host: those run only under the run lock we now hold. Reads
        // (list, state) and exec sessions belong to commands that run beside a daemon.
        return ours && argv.stream().anyMatch(MUTATING::contains) && !argv.contains("exec");
    }

    private static List<String> nulSeparated(Path file) {
        try {
            String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
            List<String> parts = new ArrayList<>();
            for (String p : text.split("\0")) {
                if (!p.isEmpty()) {
                    parts.add(p);
                }
            }
            return parts;
        } catch (IOException | SecurityException e) {
            return List.of(); // gone, or not ours to read
        }
    }
}
