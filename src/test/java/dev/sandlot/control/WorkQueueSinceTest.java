package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WorkQueue#since}: a pass may use any observation started at or after it, so it must be
 * no earlier than the last add of the key and than the end of the key's previous pass.
 */
@Timeout(10)
class WorkQueueSinceTest {
    private WorkQueue queue;

    @AfterEach
    void stop() throws InterruptedException {
        if (queue != null) {
            queue.shutdown(Duration.ofSeconds(5));
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(5, TimeUnit.SECONDS)).as("latch released within 5 s").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void aPassSeesSinceItsKeyWasAdded() {
        queue = new WorkQueue(2, Duration.ofMillis(4), Duration.ofMillis(64));
        Map<String, Long> seen = new ConcurrentHashMap<>();
        CountDownLatch done = new CountDownLatch(2);
        long beforeAdd = System.nanoTime();
        queue.start(key -> {
            seen.put(key, queue.since(key));
            done.countDown();
            return true;
        });
        queue.add("a");
        queue.add("b");
        long afterAdd = System.nanoTime();
        await(done);

        assertThat(seen.get("a")).isBetween(beforeAdd, afterAdd);
        assertThat(seen.get("b")).isBetween(beforeAdd, afterAdd);
    }

    @Test
    void anAddDuringAPassMakesTheNextPassSeeSinceTheFirstEnded() {
        queue = new WorkQueue(1, Duration.ofMillis(4), Duration.ofMillis(64));
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        long[] firstEnded = new long[1];
        long[] secondSince = new long[1];
        int[] passes = new int[1];
        queue.start(key -> {
            if (passes[0]++ == 0) {
                inFirst.countDown();
                await(releaseFirst);
                firstEnded[0] = System.nanoTime();
                return true;
            }
            secondSince[0] = queue.since(key);
            second.countDown();
            return true;
        });
        queue.add("a");
        await(inFirst);
        queue.add("a"); // an event while the first pass runs: one more pass after it
        releaseFirst.countDown();
        await(second);

        assertThat(secondSince[0]).isGreaterThanOrEqualTo(firstEnded[0]);
    }

    @Test
    void aRetryAfterAFailedPassSeesSinceTheRetryWasDue() {
        queue = new WorkQueue(1, Duration.ofMillis(20), Duration.ofMillis(64));
        CountDownLatch retried = new CountDownLatch(1);
        long[] failedAt = new long[1];
        long[] retrySince = new long[1];
        int[] passes = new int[1];
        queue.start(key -> {
            if (passes[0]++ == 0) {
                failedAt[0] = System.nanoTime();
                return false;
            }
            retrySince[0] = queue.since(key);
            retried.countDown();
            return true;
        });
        queue.add("a");
        await(retried);

        assertThat(retrySince[0]).isGreaterThan(failedAt[0]);
    }
}
