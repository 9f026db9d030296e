package dev.sandlot.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this JVM a child subreaper ({@code prctl(PR_SET_CHILD_SUBREAPER)}) and reaps the orphans
 * it inherits: the runsc sandbox and gofer processes, whose parent {@code runsc run -detach} exits
 * at once.
 *
 * <p>Why: {@code runsc delete} waits until a killed sandbox is reaped, and a slow PID 1 reaps only
 * every second or two (DESIGN.md §6): 2 s per teardown instead of 45 ms. And the reaper is handed
 * each sandbox's exit status for free (the sandbox process exits with its application's exit code),
 * with no waiter process per sandbox.
 *
 * <p>How it stays out of Java's way: it peeks with {@code waitid(P_ALL, WEXITED|WNOWAIT)}, which
 * does not reap, then reaps the pid with {@code waitpid} only if {@link SpawnedPids} says Java did
 * not start it, deciding under the same lock that process starts take.
 */
public final class Subreaper {
    private static final Logger LOG = LoggerFactory.getLogger(Subreaper.class);
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int P_ALL = 0;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int ECHILD = 10;
    private static final int EINTR = 4;
    private static final int CLD_EXITED = 1;
    // siginfo_t on Linux x86_64 and aarch64: si_code at 8, si_pid at 16, si_status at 24.
    private static final int SI_CODE = 8;
    private static final int SI_PID = 16;
    private static final int SI_STATUS = 24;
    private static final int MAX_REMEMBERED = 4096;

    interface CLib extends Library {
        int prctl(int option, long arg2, long arg3, long arg4, long arg5) throws LastErrorException;

        int waitid(int idtype, int id, Pointer infop, int options) throws LastErrorException;

        int waitpid(int pid, Pointer status, int options) throws LastErrorException;
    }

    private static volatile Subreaper instance;

    private final CLib libc;
    private final SpawnedPids spawned;
    private final Map<Integer, Integer> exitCodes = new ConcurrentHashMap<>();
    private volatile BiConsumer<Integer, Integer> listener = (pid, code) -> { };

    private Subreaper(CLib libc, SpawnedPids spawned) {
        this.libc = libc;
        this.spawned = spawned;
    }

    /**
     * Makes this process a subreaper and starts the reaping thread, once per JVM. Returns null (and
     * logs why) where that is impossible, e.g. without JNA's native library: sandlot still works,
     * only teardowns wait for PID 1 and exit codes of sandboxes are unknown.
     */
    public static synchronized Subreaper start(SpawnedPids spawned) {
        if (instance != null) {
            return instance;
        }
        try {
            CLib libc = Native.load("c", CLib.class);
            libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
            Subreaper reaper = new Subreaper(libc, spawned);
            Thread t = new Thread(reaper::loop, "subreaper");
            t.setDaemon(true);
            t.start();
            instance = reaper;
            return reaper;
        } catch (LastErrorException | UnsatisfiedLinkError | NoClassDefFoundError e) {
            LOG.warn("cannot become a child subreaper ({}); teardowns will wait for PID 1 to reap", e.getMessage());
            return null;
        }
    }

    /** The running subreaper of this JVM, or null. */
    public static Subreaper current() {
        return instance;
    }

    /** Hears (pid, exit code) of every orphan reaped; exit code is 128+signal for a killed process. */
    public void onExit(BiConsumer<Integer, Integer> newListener) {
        this.listener = newListener;
    }

    /** The exit code of a reaped pid, if this reaper collected it (recently). */
    public Integer exitCode(int pid) {
        return exitCodes.get(pid);
    }

    private void loop() {
        Memory info = new Memory(128);
        while (true) {
            try {
                info.clear();
                libc.waitid(P_ALL, 0, info, WEXITED | WNOWAIT);
                int pid = info.getInt(SI_PID);
                int code = info.getInt(SI_CODE);
                int status = info.getInt(SI_STATUS);
                if (pid <= 0) {
                    continue;
                }
                boolean reaped = spawned.whileLocked(() -> {
                    if (spawned.contains(pid)) {
                        return false; // Java's own child: its Process.waitFor() reaps it
                    }
                    try {
                        libc.waitpid(pid, null, WNOHANG);
                    } catch (LastErrorException e) {
                        // already gone: nothing to reap
                    }
                    return true;
                });
                if (reaped) {
                    int exit = code == CLD_EXITED ? status : 128 + status;
                    remember(pid, exit);
                    listener.accept(pid, exit);
                } else {
                    Thread.sleep(1);
                }
            } catch (LastErrorException e) {
                if (e.getErrorCode() == ECHILD) {
                    sleep(200); // no children at all; the next ones arrive through a spawn
                } else if (e.getErrorCode() != EINTR) {
                    LOG.warn("waitid failed: {}", e.getMessage());
                    sleep(1000);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.warn("subreaper: {}", e.toString());
                sleep(1000);
            }
        }
    }

    private void remember(int pid, int exit) {
        if (exitCodes.size() > MAX_REMEMBERED) {
            exitCodes.clear();
        }
        exitCodes.put(pid, exit);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
