package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandlot.observe.Observation;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Single flight with a fake nano clock: the test decides when each caller asked and when each
 * observation started; a blocking source decides when an observation ends.
 */
@Timeout(10)
class ObservationCacheTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final GatedSource source = new GatedSource();
    private final ObservationCache cache = new ObservationCache(source, clock::get);

    @AfterEach
    void stop() {
        source.openForever();
        callers.shutdownNow();
    }

    /** Each observe() blocks until the test lets it finish with a value or a failure. */
    static final class GatedSource implements ObservationCache.Source {
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger started = new AtomicInteger();
        private final BlockingQueue<Object> outcomes = new ArrayBlockingQueue<>(16);
        private volatile boolean open;

        @Override
        public Observation observe() throws Exception {
            calls.incrementAndGet();
            started.incrementAndGet();
            Object outcome = open ? observation() : outcomes.poll(5, TimeUnit.SECONDS);
            if (outcome == null) {
                throw new AssertionError("the test never finished this observation");
            }
            if (outcome instanceof Exception e) {
                throw e;
            }
            return (Observation) outcome;
        }

        void finish(Observation o) {
            outcomes.add(o);
        }

        void fail(Exception e) {
            outcomes.add(e);
        }

        void openForever() {
            open = true;
            for (int i = 0; i < 16; i++) {
                outcomes.offer(observation());
            }
        }
    }

    static Observation observation() {
        return new Observation(Map.of(), Instant.EPOCH);
    }

    private Future<Observation> ask(long notBefore) {
        return callers.submit(() -> cache.fresh(notBefore));
    }

    /** Waits until {@code n} observations have started (bounded). */
    private void awaitStarted(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (source.started.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("observation " + n + " never started");
            }
            Thread.sleep(1);
        }
    }

    /** Waits until the caller's thread is parked (joined an observation in flight). */
    private static void awaitParked(Thread[] holder) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (holder[0] == null || holder[0].getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("caller never waited");
            }
            Thread.sleep(1);
        }
    }

    private Future<Observation> askRemembering(long notBefore, Thread[] holder) {
        return callers.submit(() -> {
            holder[0] = Thread.currentThread();
            return cache.fresh(notBefore);
        });
    }

    @Test
    void callersThatAskedBeforeAnObservationStartedShareIt() throws Exception {
        long asked = cache.now();
        Future<Observation> first = ask(asked);
        awaitStarted(1);
        Thread[] second = new Thread[1];
        Future<Observation> joined = askRemembering(asked, second);
        awaitParked(second);

        Observation o = observation();
        source.finish(o);

        assertThat(first.get(5, TimeUnit.SECONDS)).isSameAs(o);
        assertThat(joined.get(5, TimeUnit.SECONDS)).isSameAs(o);
        assertThat(source.calls).hasValue(1);
    }

    @Test
    void thirtyPassesThatStartTogetherCostOneObservation() throws Exception {
        long asked = cache.now();
        Future<Observation> first = ask(asked);
        awaitStarted(1);
        Future<?>[] others = new Future<?>[29];
        for (int i = 0; i < others.length; i++) {
            others[i] = ask(asked);
        }
        Observation o = observation();
        source.finish(o);

        assertThat(first.get(5, TimeUnit.SECONDS)).isSameAs(o);
        for (Future<?> f : others) {
            assertThat(f.get(5, TimeUnit.SECONDS)).isSameAs(o);
        }
        assertThat(source.calls).hasValue(1);
    }

    @Test
    void aCallerThatAskedAfterTheObservationInFlightStartedGetsANewOne() throws Exception {
        Future<Observation> early = ask(cache.now());
        awaitStarted(1);
        clock.addAndGet(10);
        Thread[] lateThread = new Thread[1];
        Future<Observation> late = askRemembering(cache.now(), lateThread);
        awaitParked(lateThread);

        Observation old = observation();
        source.finish(old);
        assertThat(early.get(5, TimeUnit.SECONDS)).isSameAs(old);
        awaitStarted(2);
        Observation fresh = observation();
        source.finish(fresh);

        assertThat(late.get(5, TimeUnit.SECONDS)).isSameAs(fresh);
        assertThat(source.calls).hasValue(2);
    }

    @Test
    void aFinishedObservationIsReusedOnlyByCallersThatAskedBeforeItStarted() throws Exception {
        source.openForever();
        long t0 = cache.now();
        Observation first = cache.fresh(t0);

        assertThat(cache.fresh(t0)).isSameAs(first);
        assertThat(cache.fresh(t0 - 5)).isSameAs(first);
        assertThat(source.calls).hasValue(1);

        clock.addAndGet(1);
        Observation second = cache.fresh(cache.now());

        assertThat(second).isNotSameAs(first);
        assertThat(source.calls).hasValue(2);
        assertThat(cache.latest()).isSameAs(second);
    }

    @Test
    void aFailureReachesTheCallersOfThatObservationOnly() throws Exception {
        long asked = cache.now();
        Future<Observation> first = ask(asked);
        awaitStarted(1);
        Thread[] joinedThread = new Thread[1];
        Future<Observation> joined = askRemembering(asked, joinedThread);
        awaitParked(joinedThread);
        clock.addAndGet(10);
        Thread[] lateThread = new Thread[1];
        Future<Observation> late = askRemembering(cache.now(), lateThread);
        awaitParked(lateThread);

        source.fail(new java.io.IOException("runsc list failed"));

        assertThatThrownBy(() -> first.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(java.io.IOException.class).hasMessage("runsc list failed");
        assertThatThrownBy(() -> joined.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(java.io.IOException.class).hasMessage("runsc list failed");
        awaitStarted(2);
        Observation fresh = observation();
        source.finish(fresh);
        assertThat(late.get(5, TimeUnit.SECONDS)).as("asked after the failed one started").isSameAs(fresh);
    }

    @Test
    void aFailureIsNotCachedTheNextCallerObservesAgain() throws Exception {
        source.fail(new java.io.IOException("transient"));
        assertThatThrownBy(() -> cache.fresh(cache.now())).hasMessage("transient");

        Observation o = observation();
        source.finish(o);

        assertThat(cache.fresh(cache.now())).isSameAs(o);
        assertThat(source.calls).hasValue(2);
        assertThat(cache.latest()).isSameAs(o);
    }

    @Test
    void latestIsNullBeforeAnyObservation() {
        assertThat(cache.latest()).isNull();
    }

    @Test
    void aSlowOlderObservationNeverReplacesANewerLatest() throws Exception {
        // Two flights cannot overlap, so "newer" is decided by start time; check the monotonic
        // clock comparison survives a wrap of System.nanoTime values.
        clock.set(Long.MAX_VALUE - 5);
        source.openForever();
        Observation before = cache.fresh(cache.now());
        clock.addAndGet(10); // wraps to a negative value
        Observation after = cache.fresh(cache.now());

        assertThat(after).isNotSameAs(before);
        assertThat(cache.latest()).isSameAs(after);
        assertThat(cache.fresh(clock.get())).isSameAs(after);
        assertThat(source.calls).hasValue(2);
    }
}
