package dev.sandlot.control;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Whether the daemon makes progress, for systemd's watchdog (WATCHDOG=1) and {@code /healthz}.
 *
 * <p>The timer that asks runs on its own thread, so "the timer fired" proves nothing about the
 * work: liveness is read from the work queue instead. Healthy means every worker is still in its
 * loop and no pass has run longer than {@link #PASS_BOUND} plus the longest grace period a stop may
 * wait (a pass stops a sandbox with its manifest's terminationGracePeriod, up to an hour). Every
 * host call of a pass has its own timeout (runsc 30 s, each CNI plugin 30 s, iptables 20 s), so a
 * pass that outlives the bound is stuck, not slow. An idle queue is healthy.
 */
final class Liveness {
    /** Far above a legitimate pass without a long stop: a few dozen host calls, each bounded. */
    static final Duration PASS_BOUND = Duration.ofMinutes(10);

    private final Supplier<WorkQueue.Progress> progress;
    private final Supplier<Duration> longestGrace;

    /**
     * @param progress     the work queue's {@link WorkQueue#progress()}
     * @param longestGrace the longest stop grace period a pass may now wait for
     */
    Liveness(Supplier<WorkQueue.Progress> progress, Supplier<Duration> longestGrace) {
        this.progress = progress;
        this.longestGrace = longestGrace;
    }

    /** Null when healthy, else why not (one line, for the log and /healthz's caller). */
    String problem() {
        WorkQueue.Progress p = progress.get();
        if (!p.looping()) {
            return "the work queue's workers stopped taking work";
        }
        Duration limit = PASS_BOUND.plus(longestGrace.get());
        if (p.oldestAge() != null && p.oldestAge().compareTo(limit) > 0) {
            return "the pass for " + p.oldestKey() + " has run for " + p.oldestAge().toSeconds()
                    + " s (limit " + limit.toSeconds() + " s)";
        }
        return null;
    }

    boolean healthy() {
        return problem() == null;
    }
}
