package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(100));

    @Test
    void theDelayDoublesWithEachConsecutiveFailureUpToTheMaximum() {
        assertThat(backoff.next("a")).isEqualTo(Duration.ofMillis(10));
        assertThat(backoff.next("a")).isEqualTo(Duration.ofMillis(20));
        assertThat(backoff.next("a")).isEqualTo(Duration.ofMillis(40));
        assertThat(backoff.next("a")).isEqualTo(Duration.ofMillis(80));
        assertThat(backoff.next("a")).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.next("a")).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.failures("a")).isEqualTo(6);
    }

    @Test
    void aSuccessResetsTheDelayToTheBase() {
        backoff.next("a");
        backoff.next("a");

        backoff.reset("a");

        assertThat(backoff.failures("a")).isZero();
        assertThat(backoff.next("a")).isEqualTo(Duration.ofMillis(10));
    }

    @Test
    void eachKeyBacksOffOnItsOwn() {
        backoff.next("a");
        backoff.next("a");

        assertThat(backoff.next("b")).isEqualTo(Duration.ofMillis(10));
        assertThat(backoff.failures("a")).isEqualTo(2);
        assertThat(backoff.failures("b")).isEqualTo(1);
    }

    @Test
    void manyFailuresNeverOverflowPastTheMaximum() {
        Backoff minutes = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));
        Duration last = null;
        for (int i = 0; i < 200; i++) {
            last = minutes.next("a");
            assertThat(last).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(5));
        }
        assertThat(last).isEqualTo(Duration.ofMinutes(5));
    }
}
