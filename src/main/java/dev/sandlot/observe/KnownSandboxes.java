package dev.sandlot.observe;

import dev.sandlot.host.ProcFs;
import dev.sandlot.host.ProcStat;
import dev.sandlot.host.RunscContainer;
import dev.sandlot.state.SandboxId;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this process learned about its sandboxes' processes, kept between observations so that
 * most of them need only the ids from runsc ({@code runsc list -quiet}) and not its full list.
 *
 * <p>The full list costs per sandbox: runsc loads each container and asks each running sandbox,
 * by RPC, whether its container still lives. Over 100 sandboxes that is ~60 ms of CPU per pass
 * (half of it inside the sandboxes), against ~12 ms for the ids alone. What the full list adds,
 * sandlot knows otherwise: the sandbox pid is in the pid file runsc wrote, /proc says whether that
 * process still runs, and whether the application was started at all (runsc's "created" against
 * "running") is known from {@code runsc run} returning, in this process, or from a full list.
 *
 * <p>So the first observation of a process is a full list (it may find what an earlier process
 * left half-made: a container created but never started after a crash), and so is any observation
 * that finds a container without a record. A sandbox neither started by this process nor seen
 * running by a full list counts as "created": not running, as runsc would say of a half-made one.
 */
public final class KnownSandboxes {
    private record Verified(int pid, long startTime) {
    }

    private volatile boolean listedInFull;
    private final Set<SandboxId> started = ConcurrentHashMap.newKeySet();
    private final Map<SandboxId, Verified> verified = new ConcurrentHashMap<>();

    /** {@code runsc run} returned for this id: its application was started. */
    public void started(SandboxId id) {
        started.add(id);
    }

    boolean isStarted(SandboxId id) {
        return started.contains(id);
    }

    boolean listedInFull() {
        return listedInFull;
    }

    /** A full {@code runsc list}: what it shows running was started, whoever started it. */
    void sawFullList(Collection<RunscContainer> containers) {
        for (RunscContainer c : containers) {
            if (c.isRunning()) {
                SandboxId.parse(c.id()).ifPresent(started::add);
            }
        }
        listedInFull = true;
    }

    /**
     * Whether {@code pid} is still this sandbox's process: it exists, is not a zombie, and is the
     * process that runsc started for this id. A pid can be reused by an unrelated process after
     * the sandbox ended, so the first time a (pid, start time) is seen its command line must end
     * with the id (runsc's {@code boot ... <id>}); afterwards the start time alone tells.
     */
    boolean alive(ProcFs proc, SandboxId id, int pid) {
        Optional<ProcStat> stat = proc.stat(pid);
        if (stat.isEmpty() || stat.get().exited()) {
            return false;
        }
        Verified known = verified.get(id);
        long startTime = stat.get().startTime();
        if (known != null && known.pid() == pid && known.startTime() == startTime) {
            return true;
        }
        Optional<List<String>> args = proc.cmdline(pid);
        if (args.isEmpty() || args.get().isEmpty() || !args.get().get(args.get().size() - 1).equals(id.value())) {
            return false;
        }
        verified.put(id, new Verified(pid, startTime));
        return true;
    }

    /** The sandbox was torn down: nothing of it is worth remembering. */
    public void forget(SandboxId id) {
        started.remove(id);
        verified.remove(id);
    }

    /**
     * Forgets the processes of ids runsc no longer lists. Not which ids were started: a
     * {@code runsc run} may return after the listing was taken, and forgetting that it did would
     * make its sandbox look half-made; those are forgotten at teardown.
     */
    void retainProcesses(Set<SandboxId> listed) {
        verified.keySet().retainAll(listed);
    }
}
