package dev.sandlot.control;

import dev.sandlot.host.ProcFs;
import dev.sandlot.host.ProcStat;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.state.SandboxId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Notices within a check interval that a sandbox ended which this daemon cannot reap.
 *
 * <p>A sandbox this daemon started is its child (the daemon is a child subreaper), so its exit
 * arrives at once with its exit code. A sandbox it adopted (started by an earlier daemon, or by
 * {@code sandlot apply}) is some other process's child: without this, its end would be seen only at
 * the next resync. So every running sandbox whose parent is not the reaping daemon is watched here
 * by its pid and its start time from {@code /proc/<pid>/stat}: the pid gone, a zombie, or a
 * different start time (the pid reused by a new process) means the sandbox ended. Each check reads
 * one small /proc file per watched sandbox: no process spawned, no runsc call. Its exit code stays
 * unknown (nobody who could collect it tells sandlot).
 */
final class AdoptedExits {
    /** Start time of a pid that was already gone when first looked at: the next check reports it. */
    private static final long GONE = -1;

    private record Watched(SandboxId id, long startTime) {
    }

    private final ProcFs proc;
    private final long reaperPid;
    private final Map<Integer, Watched> watched = new ConcurrentHashMap<>();

    /**
     * @param reaperPid the pid of the subreaper that collects this daemon's sandboxes (this process),
     *                  or 0 when nothing reaps them: then every sandbox is watched
     */
    AdoptedExits(ProcFs proc, long reaperPid) {
        this.proc = proc;
        this.reaperPid = reaperPid;
    }

    /**
     * Follows an observation: starts watching the running sandboxes the reaper will not see end,
     * and reports (then stops watching) those it no longer shows running. The observation may be
     * the status writer's, which starts no pass: a death seen there first must still reach the
     * queue (found by DaemonIT: the status write saw the end a few ms before the check did).
     */
    void track(Observation o, Consumer<SandboxId> ended) {
        Map<Integer, SandboxId> running = new java.util.HashMap<>();
        for (Incarnation i : o.all()) {
            if (i.runtime() == RuntimeState.RUNNING && i.pid() > 0) {
                running.put(i.pid(), i.id());
            }
        }
        for (Map.Entry<Integer, Watched> e : watched.entrySet()) {
            Watched w = e.getValue();
            if (!w.id().equals(running.get(e.getKey())) && watched.remove(e.getKey(), w)) {
                ended.accept(w.id());
            }
        }
        running.forEach((pid, id) -> {
            if (!watched.containsKey(pid)) {
                Optional<ProcStat> stat = proc.stat(pid);
                if (stat.isEmpty() || stat.get().exited()) {
                    watched.put(pid, new Watched(id, GONE));
                } else if (reaperPid <= 0 || stat.get().ppid() != reaperPid) {
                    watched.put(pid, new Watched(id, stat.get().startTime()));
                }
            }
        });
    }

    /** This daemon created a new sandbox of that name: the old one's end is no news any more. */
    void forget(String name) {
        watched.values().removeIf(w -> w.id().name().equals(name));
    }

    /** Reports (and stops watching) each watched sandbox whose process has ended. */
    void check(Consumer<SandboxId> ended) {
        for (Map.Entry<Integer, Watched> e : watched.entrySet()) {
            Watched w = e.getValue();
            Optional<ProcStat> now = proc.stat(e.getKey());
            boolean gone = now.isEmpty() || now.get().exited() || now.get().startTime() != w.startTime();
            if (gone && watched.remove(e.getKey(), w)) {
                ended.accept(w.id());
            }
        }
    }

    /** How many sandboxes are watched (for tests and the debug log). */
    int size() {
        return watched.size();
    }
}
