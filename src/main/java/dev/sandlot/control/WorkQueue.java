package dev.sandlot.control;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A work queue keyed by sandbox name, with controller-runtime's guarantees: a key is never
 * processed by two workers at once; adds of a key while it is processed collapse into one more
 * pass after it; different keys run in parallel on a fixed pool; a failed pass is retried after a
 * per-key exponential backoff, and a successful one resets it. A retry reads the newest desired
 * state, because a pass is keyed only by name.
 */
public final class WorkQueue {
    private static final Logger LOG = LoggerFactory.getLogger(WorkQueue.class);

    /** Processes one key; returns false to have it retried with backoff. */
    public interface Handler {
        boolean process(String key);
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final LinkedHashSet<String> queued = new LinkedHashSet<>();
    /** Keys in flight, with when their pass started (clock nanos): what liveness looks at. */
    private final Map<String, Long> processing = new HashMap<>();
    private final Set<String> dirty = new HashSet<>();
    private final Map<String, Long> askedAt = new HashMap<>();
    private final Backoff backoff;
    private final ExecutorService workers;
    private final ScheduledExecutorService delays;
    private final int workerCount;
    private final LongSupplier clock;
    private int workersLost;
    private boolean shuttingDown;

    public WorkQueue(int workerCount, Duration backoffBase, Duration backoffMax) {
        this(workerCount, backoffBase, backoffMax, System::nanoTime);
    }

    /** @param clock nanoseconds, for the age of passes in flight ({@link #progress()}); tests pass a fake */
    WorkQueue(int workerCount, Duration backoffBase, Duration backoffMax, LongSupplier clock) {
        this.workerCount = workerCount;
        this.clock = clock;
        this.backoff = new Backoff(backoffBase, backoffMax);
        this.workers = Executors.newFixedThreadPool(workerCount, daemonThreads("worker"));
        this.delays = Executors.newSingleThreadScheduledExecutor(daemonThreads("requeue"));
    }

    static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public void start(Handler handler) {
        for (int i = 0; i < workerCount; i++) {
            workers.submit(() -> work(handler));
        }
    }

    public void add(String key) {
        lock.lock();
        try {
            if (shuttingDown) {
                return;
            }
            if (processing.containsKey(key)) {
                dirty.add(key); // its next pass starts after this one ends: since() is set then
            } else {
                askedAt.put(key, System.nanoTime());
                if (queued.add(key)) {
                    changed.signal();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * For the key being processed: when it was last asked for, or when its previous pass ended if
     * that was later (a {@link System#nanoTime()} value). What the pass must see happened before
     * then, so any observation of the host started since will do: passes of a burst share one
     * instead of each making its own (thirty names renamed into the folder at once cost one
     * {@code runsc list}, not one per worker turn).
     */
    public long since(String key) {
        lock.lock();
        try {
            Long at = askedAt.get(key);
            return at != null ? at : System.nanoTime();
        } finally {
            lock.unlock();
        }
    }

    public void addAfter(String key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        try {
            delays.schedule(() -> add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Keys waiting or in flight, for health and metrics. */
    public int depth() {
        lock.lock();
        try {
            return queued.size() + processing.size();
        } finally {
            lock.unlock();
        }
    }

    public int failures(String key) {
        lock.lock();
        try {
            return backoff.failures(key);
        } finally {
            lock.unlock();
        }
    }

    /**
     * How the queue moves, for the watchdog and /healthz: whether every worker is still in its loop,
     * and the pass in flight the longest (null when none is). A queue whose lock stays taken for a
     * second is reported as not looping: something holds it that never should for long.
     */
    public record Progress(boolean looping, String oldestKey, Duration oldestAge) {
    }

    public Progress progress() {
        try {
            if (!lock.tryLock(1, TimeUnit.SECONDS)) {
                return new Progress(false, null, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Progress(false, null, null);
        }
        try {
            long now = clock.getAsLong();
            Optional<Map.Entry<String, Long>> oldest = processing.entrySet().stream()
                    .min(Map.Entry.comparingByValue());
            return new Progress(workersLost == 0 && !shuttingDown,
                    oldest.map(Map.Entry::getKey).orElse(null),
                    oldest.map(e -> Duration.ofNanos(now - e.getValue())).orElse(null));
        } finally {
            lock.unlock();
        }
    }

    /** A worker whose loop ended (only an Error outside a pass does that) is one pool thread less. */
    private void work(Handler handler) {
        try {
            loop(handler);
        } finally {
            lock.lock();
            try {
                workersLost++;
            } finally {
                lock.unlock();
            }
        }
    }

    private void loop(Handler handler) {
        while (true) {
            String key;
            lock.lock();
            try {
                while (queued.isEmpty() && !shuttingDown) {
                    changed.awaitUninterruptibly();
                }
                if (shuttingDown) {
                    return;
                }
                key = queued.iterator().next();
                queued.remove(key);
                processing.put(key, clock.getAsLong());
            } finally {
                lock.unlock();
            }
            boolean ok;
            try {
                ok = handler.process(key);
            } catch (RuntimeException | Error e) {
                LOG.error("pass for {} failed unexpectedly", key, e);
                ok = false;
            }
            Duration retry = null;
            lock.lock();
            try {
                processing.remove(key);
                if (ok) {
                    backoff.reset(key);
                } else {
                    retry = backoff.next(key);
                }
                if (dirty.remove(key) && !shuttingDown) {
                    askedAt.put(key, System.nanoTime()); // after the event and after this pass
                    queued.add(key);
                    changed.signal();
                } else {
                    askedAt.remove(key); // the next add sets it again
                }
            } finally {
                lock.unlock();
            }
            if (retry != null) {
                addAfter(key, retry);
            }
        }
    }

    /** Stops taking work and waits (bounded) for the passes in flight; sandboxes are not touched. */
    public boolean shutdown(Duration wait) throws InterruptedException {
        lock.lock();
        try {
            shuttingDown = true;
            queued.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        delays.shutdownNow();
        workers.shutdown();
        return workers.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
    }
}
