package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Liveness follows the work queue, not the timer that asks: a worker blocked in a pass (a fake
 * clock moves past the bound) or a queue shut down is not alive; an idle queue is.
 */
@Timeout(20)
class LivenessTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final WorkQueue queue = new WorkQueue(2, Duration.ofMillis(4), Duration.ofMillis(64), nanos::get);
    private final CountDownLatch release = new CountDownLatch(1);
    private Duration grace = Duration.ofSeconds(10);
    private final Liveness liveness = new Liveness(queue::progress, () -> grace);

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        queue.shutdown(Duration.ofSeconds(5));
    }

    @Test
    void anIdleQueueIsHealthy() {
        queue.start(key -> true);
        nanos.addAndGet(Duration.ofHours(5).toNanos());
        assertThat(liveness.problem()).isNull();
        assertThat(liveness.healthy()).isTrue();
    }

    @Test
    void aPassStuckPastTheBoundIsNotHealthy() throws InterruptedException {
        CountDownLatch entered = new CountDownLatch(1);
        queue.start(key -> {
            entered.countDown();
            await(release);
            return true;
        });
        queue.add("web");
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();

        nanos.addAndGet(Liveness.PASS_BOUND.toNanos());
        assertThat(liveness.healthy()).as("a long pass within the bound").isTrue();

        nanos.addAndGet(grace.plusSeconds(1).toNanos());
        assertThat(liveness.problem()).contains("web").contains("has run for");

        grace = Duration.ofMinutes(30); // a sandbox that may take half an hour to stop
        assertThat(liveness.healthy()).isTrue();
        grace = Duration.ofSeconds(10);

        release.countDown();
        awaitTrue(() -> queue.depth() == 0);
        assertThat(liveness.healthy()).as("the pass ended: the queue moves again").isTrue();
    }

    @Test
    void theOldestPassInFlightIsTheOneMeasured() throws InterruptedException {
        CountDownLatch both = new CountDownLatch(2);
        queue.start(key -> {
            both.countDown();
            await(release);
            return true;
        });
        queue.add("old");
        awaitTrue(() -> queue.progress().oldestKey() != null);
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        queue.add("new");
        assertThat(both.await(5, TimeUnit.SECONDS)).isTrue();

        WorkQueue.Progress p = queue.progress();
        assertThat(p.oldestKey()).isEqualTo("old");
        assertThat(p.oldestAge()).isEqualTo(Duration.ofSeconds(5));
        assertThat(p.looping()).isTrue();
    }

    @Test
    void aQueueThatStoppedTakingWorkIsNotHealthy() throws InterruptedException {
        queue.start(key -> true);
        assertThat(liveness.healthy()).isTrue();
        queue.shutdown(Duration.ofSeconds(5));
        assertThat(liveness.problem()).contains("stopped taking work");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(1);
        }
    }
}
