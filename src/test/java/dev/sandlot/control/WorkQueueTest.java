package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The work queue's guarantees, each shown with latches rather than timing. Backoff delays are a
 * few milliseconds, so retries happen fast; no test sleeps for them.
 */
@Timeout(10)
class WorkQueueTest {
    private static final Duration BASE = Duration.ofMillis(4);
    private static final Duration MAX = Duration.ofMillis(64);

    private WorkQueue queue;
    private final ExecutorService helpers = Executors.newCachedThreadPool();
    private final List<CountDownLatch> toRelease = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        toRelease.forEach(CountDownLatch::countDown);
        if (queue != null) {
            queue.shutdown(Duration.ofSeconds(5));
        }
        helpers.shutdownNow();
    }

    private WorkQueue queue(int workers) {
        queue = new WorkQueue(workers, BASE, MAX);
        return queue;
    }

    private CountDownLatch latch() {
        CountDownLatch l = new CountDownLatch(1);
        toRelease.add(l);
        return l;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(5, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits (bounded) until nothing is queued or in flight. */
    private static void awaitIdle(WorkQueue q) throws InterruptedException {
        awaitTrue(() -> q.depth() == 0);
    }

    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(1);
        }
    }

    @Test
    void aKeyIsNeverProcessedByTwoWorkersAtOnce() throws Exception {
        WorkQueue q = queue(8);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger passes = new AtomicInteger();
        q.start(key -> {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            passes.incrementAndGet();
            Thread.yield();
            inFlight.decrementAndGet();
            return true;
        });

        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < 8; t++) {
            helpers.submit(() -> {
                await(go);
                for (int i = 0; i < 200; i++) {
                    q.add("web");
                }
            });
        }
        go.countDown();
        awaitTrue(() -> passes.get() > 0);
        helpers.shutdown();
        assertThat(helpers.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        awaitIdle(q);

        assertThat(maxInFlight).hasValue(1);
    }

    @Test
    void aKeyAddedWhileInFlightGetsExactlyOneMorePass() throws Exception {
        WorkQueue q = queue(4);
        AtomicInteger passes = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch releaseFirst = latch();
        q.start(key -> {
            if (passes.incrementAndGet() == 1) {
                firstStarted.countDown();
                await(releaseFirst);
            }
            return true;
        });

        q.add("web");
        await(firstStarted);
        for (int i = 0; i < 20; i++) {
            q.add("web");
        }
        assertThat(passes).as("no second pass while the first is in flight, though 3 workers are idle").hasValue(1);
        assertThat(q.depth()).as("the adds are remembered, not queued").isEqualTo(1);
        releaseFirst.countDown();
        awaitIdle(q);

        assertThat(passes).hasValue(2);
    }

    @Test
    void aKeyAddedManyTimesWhileQueuedGetsOnePass() throws Exception {
        WorkQueue q = queue(1);
        Map<String, AtomicInteger> passes = new ConcurrentHashMap<>();
        CountDownLatch blockerStarted = new CountDownLatch(1);
        CountDownLatch releaseBlocker = latch();
        q.start(key -> {
            passes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            if (key.equals("blocker")) {
                blockerStarted.countDown();
                await(releaseBlocker);
            }
            return true;
        });

        q.add("blocker");
        await(blockerStarted);
        for (int i = 0; i < 5; i++) {
            q.add("web");
        }
        assertThat(q.depth()).isEqualTo(2);
        releaseBlocker.countDown();
        awaitIdle(q);

        assertThat(passes.get("web")).hasValue(1);
    }

    @Test
    void differentKeysRunInParallel() throws Exception {
        WorkQueue q = queue(2);
        CyclicBarrier both = new CyclicBarrier(2);
        List<String> done = new CopyOnWriteArrayList<>();
        q.start(key -> {
            try {
                both.await(5, TimeUnit.SECONDS); // only passes if the other key is in flight too
                done.add(key);
                return true;
            } catch (Exception e) {
                throw new AssertionError("the two keys did not run at the same time", e);
            }
        });

        q.add("web");
        q.add("db");
        awaitTrue(() -> done.size() == 2);

        assertThat(done).containsExactlyInAnyOrder("web", "db");
    }

    @Test
    void keysAreTakenInTheOrderTheyWereAdded() throws Exception {
        WorkQueue q = queue(1);
        List<String> order = new CopyOnWriteArrayList<>();
        CountDownLatch blockerStarted = new CountDownLatch(1);
        CountDownLatch releaseBlocker = latch();
        q.start(key -> {
            order.add(key);
            if (key.equals("blocker")) {
                blockerStarted.countDown();
                await(releaseBlocker);
            }
            return true;
        });

        q.add("blocker");
        await(blockerStarted);
        for (String k : List.of("c", "a", "b", "a")) {
            q.add(k);
        }
        releaseBlocker.countDown();
        awaitIdle(q);

        assertThat(order).containsExactly("blocker", "c", "a", "b");
    }

    @Test
    void aFailedPassIsRetriedAfterADelayThatGrowsWithEachFailure() throws Exception {
        WorkQueue q = queue(2);
        List<Long> starts = new CopyOnWriteArrayList<>();
        List<Integer> failuresSeen = new CopyOnWriteArrayList<>();
        q.start(key -> {
            starts.add(System.nanoTime());
            failuresSeen.add(q.failures(key));
            return starts.size() > 4;
        });

        q.add("web");
        awaitTrue(() -> starts.size() == 5);
        awaitIdle(q);

        assertThat(failuresSeen).containsExactly(0, 1, 2, 3, 4);
        for (int i = 1; i < starts.size(); i++) {
            long gapMillis = TimeUnit.NANOSECONDS.toMillis(starts.get(i) - starts.get(i - 1));
            long delay = BASE.toMillis() << (i - 1);
            assertThat(gapMillis).as("gap before attempt %d", i + 1).isGreaterThanOrEqualTo(delay);
        }
        assertThat(q.failures("web")).as("the success reset it").isZero();
    }

    @Test
    void aPassThatThrowsCountsAsAFailureAndIsRetried() throws Exception {
        WorkQueue q = queue(1);
        AtomicInteger passes = new AtomicInteger();
        q.start(key -> {
            if (passes.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            return true;
        });

        q.add("web");
        awaitTrue(() -> passes.get() == 2);
        awaitIdle(q);

        assertThat(passes).hasValue(2);
        assertThat(q.failures("web")).isZero();
    }

    @Test
    void aSuccessResetsTheBackoffSoTheNextFailureStartsFromTheBase() throws Exception {
        WorkQueue q = queue(1);
        List<Boolean> outcomes = new CopyOnWriteArrayList<>(List.of(false, false, true, false, true));
        List<Integer> failuresSeen = new CopyOnWriteArrayList<>();
        AtomicInteger passes = new AtomicInteger();
        q.start(key -> {
            failuresSeen.add(q.failures(key));
            return outcomes.get(passes.getAndIncrement());
        });

        q.add("web");
        awaitTrue(() -> passes.get() == 3);
        awaitIdle(q);
        q.add("web");
        awaitTrue(() -> passes.get() == 5);
        awaitIdle(q);

        assertThat(failuresSeen).containsExactly(0, 1, 2, 0, 1);
    }

    @Test
    void oneFailingKeyDoesNotHoldUpTheOthers() throws Exception {
        WorkQueue q = new WorkQueue(1, Duration.ofSeconds(30), Duration.ofMinutes(1));
        queue = q;
        List<String> order = new CopyOnWriteArrayList<>();
        q.start(key -> {
            order.add(key);
            return !key.equals("bad");
        });

        q.add("bad");
        q.add("good");
        awaitTrue(() -> order.contains("good"));
        awaitIdle(q);

        assertThat(order).containsExactly("bad", "good");
        assertThat(q.failures("bad")).isEqualTo(1);
    }

    @Test
    void shutdownWaitsForThePassInFlightAndTakesNoNewWork() throws Exception {
        WorkQueue q = queue(1);
        List<String> processed = new CopyOnWriteArrayList<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = latch();
        q.start(key -> {
            if (key.equals("web")) {
                started.countDown();
                await(release);
            }
            processed.add(key);
            return true;
        });
        q.add("web");
        await(started);
        q.add("queued-before-shutdown");

        Future<Boolean> shutdown = helpers.submit(() -> q.shutdown(Duration.ofSeconds(5)));
        awaitTrue(() -> {
            q.add("added-during-shutdown");
            return q.depth() == 1; // the queued key was dropped; only the pass in flight is left
        });
        assertThat(shutdown).as("still waiting for the pass in flight").isNotDone();
        release.countDown();

        assertThat(shutdown.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(processed).containsExactly("web");
        q.add("added-after-shutdown");
        assertThat(q.depth()).isZero();
        assertThat(processed).containsExactly("web");
    }

    @Test
    void shutdownGivesUpAfterItsWaitAndSaysSo() throws Exception {
        WorkQueue q = queue(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = latch();
        q.start(key -> {
            started.countDown();
            await(release);
            return true;
        });
        q.add("stuck");
        await(started);

        assertThat(q.shutdown(Duration.ofMillis(20))).isFalse();
    }

    @Test
    void aRetryDueAfterShutdownNeverRuns() throws Exception {
        WorkQueue q = new WorkQueue(1, Duration.ofMillis(50), Duration.ofMillis(50));
        queue = q;
        AtomicInteger passes = new AtomicInteger();
        q.start(key -> {
            passes.incrementAndGet();
            return false;
        });
        q.add("web");
        awaitTrue(() -> q.failures("web") == 1);

        assertThat(q.shutdown(Duration.ofSeconds(5))).isTrue();
        CountDownLatch never = new CountDownLatch(1);
        assertThat(never.await(100, TimeUnit.MILLISECONDS)).isFalse(); // past the 50 ms retry
        assertThat(passes).hasValue(1);
    }
}
