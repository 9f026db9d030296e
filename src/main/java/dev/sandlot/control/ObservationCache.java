package dev.sandlot.control;

import dev.sandlot.observe.Observation;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.LongSupplier;

/**
 * Shares host observations between concurrent passes ("single flight"): a pass asks for an
 * observation that started no earlier than a given instant (so it sees everything done before it
 * asked); if one is under way or done that qualifies, it is shared, else one new observation is
 * made for everyone waiting. Thirty passes that start together thus cost one {@code runsc list}.
 */
final class ObservationCache {
    /** Makes one observation; may fail. */
    interface Source {
        Observation observe() throws Exception;
    }

    private final Source source;
    private final LongSupplier nanoClock;
    private Observation latest;
    private long latestStarted = Long.MIN_VALUE;
    private CompletableFuture<Observation> inFlight;
    private long inFlightStarted;

    ObservationCache(Source source, LongSupplier nanoClock) {
        this.source = source;
        this.nanoClock = nanoClock;
    }

    long now() {
        return nanoClock.getAsLong();
    }

    /** An observation started at or after {@code notBefore} (a value of {@link #now()}). */
    Observation fresh(long notBefore) throws Exception {
        while (true) {
            CompletableFuture<Observation> join = null;
            CompletableFuture<Observation> mine = null;
            long started = 0;
            synchronized (this) {
                if (latest != null && latestStarted - notBefore >= 0) {
                    return latest;
                }
                if (inFlight != null) {
                    join = inFlight;
                    started = inFlightStarted;
                } else {
                    mine = new CompletableFuture<>();
                    inFlight = mine;
                    started = now();
                    inFlightStarted = started;
                }
            }
            if (mine != null) {
                return observeInto(mine, started);
            }
            try {
                Observation o = join.get();
                if (started - notBefore >= 0) {
                    return o;
                }
            } catch (ExecutionException e) {
                if (started - notBefore >= 0) {
                    throw unwrap(e);
                }
            }
            // It started before we asked: wait for the next one (loop).
        }
    }

    private Observation observeInto(CompletableFuture<Observation> mine, long started) throws Exception {
        try {
            Observation o = source.observe();
            synchronized (this) {
                if (started - latestStarted > 0 || latest == null) {
                    latest = o;
                    latestStarted = started;
                }
                inFlight = null;
            }
            mine.complete(o);
            return o;
        } catch (Exception | Error e) {
            synchronized (this) {
                inFlight = null;
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** The newest observation made, or null; for status and metrics, never for decisions. */
    synchronized Observation latest() {
        return latest;
    }

    private static Exception unwrap(ExecutionException e) {
        return e.getCause() instanceof Exception c ? c : e;
    }
}
