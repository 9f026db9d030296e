package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class TimersTest {
    /** One scheduler for the class: stopping one waits about half a second. */
    private static Timers timers;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeAll
    static void make() throws Exception {
        timers = new Timers();
        timers.start();
    }

    @AfterAll
    static void stopAll() {
        timers.shutdown();
    }

    @AfterEach
    void releaseStuckTasks() {
        release.countDown();
    }

    @Test
    void aTaskRunsAgainAndAgainAtItsInterval() throws Exception {
        CountDownLatch threeRuns = new CountDownLatch(3);
        timers.every("again-and-again", Duration.ofMillis(5), threeRuns::countDown);

        assertThat(threeRuns.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aRunStillGoingIsNeverJoinedByAnother() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch afterRelease = new CountDownLatch(2);
        timers.every("slow", Duration.ofMillis(2), () -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                if (runs.incrementAndGet() == 1) {
                    firstStarted.countDown();
                    release.await(5, TimeUnit.SECONDS);
                } else {
                    afterRelease.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        });
        // A second job keeps firing: triggers of the stuck one do not take the scheduler's threads.
        CountDownLatch otherJobRuns = new CountDownLatch(5);
        timers.every("other", Duration.ofMillis(2), otherJobRuns::countDown);

        assertThat(firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(otherJobRuns.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(runs).as("triggers while the first run is stuck are skipped").hasValue(1);
        release.countDown();
        assertThat(afterRelease.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(maxInFlight).hasValue(1);
    }

    @Test
    void aTaskThatThrowsKeepsItsSchedule() throws Exception {
        CountDownLatch runs = new CountDownLatch(3);
        timers.every("failing", Duration.ofMillis(5), () -> {
            runs.countDown();
            throw new IllegalStateException("boom");
        });

        assertThat(runs.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theFirstRunComesAfterOneIntervalNotAtStart() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        timers.every("hourly", Duration.ofHours(1), ran::countDown);

        assertThat(ran.await(50, TimeUnit.MILLISECONDS)).isFalse();
    }
}
