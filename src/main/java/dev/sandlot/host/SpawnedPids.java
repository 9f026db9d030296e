package dev.sandlot.host;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The pids of the processes Java itself started and has not reaped yet.
 *
 * <p>Why: a child subreaper must reap the orphans it inherits (detached sandboxes), but must never
 * reap a child that {@link Process#waitFor()} is waiting for, or that call would lose its exit code.
 * Processes are started under {@link #lock()}-protected {@link #start}, and their pid is registered
 * before the lock is released, so a reaper that looks at a zombie while holding the same lock (see
 * {@link #whileLocked}) can never see a pid of Java's that is not registered yet. A pid leaves the
 * registry once Java's own reaper has collected it.
 */
public final class SpawnedPids {
    private static final SpawnedPids GLOBAL = new SpawnedPids();

    private final ReentrantLock lock = new ReentrantLock();
    private final Set<Long> pids = new HashSet<>();

    /** The registry every {@link SystemProcessRunner} of this JVM shares by default. */
    public static SpawnedPids global() {
        return GLOBAL;
    }

    /** Starts the process and registers its pid before anyone holding the lock can look. */
    Process start(ProcessBuilder builder) throws IOException {
        lock.lock();
        try {
            Process process = builder.start();
            long pid = process.pid();
            pids.add(pid);
            process.onExit().whenComplete((p, e) -> unregister(pid));
            return process;
        } finally {
            lock.unlock();
        }
    }

    /** Whether Java started this pid and has not reaped it yet. */
    public boolean contains(long pid) {
        lock.lock();
        try {
            return pids.contains(pid);
        } finally {
            lock.unlock();
        }
    }

    /** How many started processes are not reaped yet. */
    public int size() {
        lock.lock();
        try {
            return pids.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code action} while no process can be started: a reaper decides here whether a zombie is
     * Java's ({@link #contains}) and reaps it only if it is not.
     */
    public <T> T whileLocked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private void unregister(long pid) {
        lock.lock();
        try {
            pids.remove(pid);
        } finally {
            lock.unlock();
        }
    }
}
