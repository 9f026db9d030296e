package dev.sandlot.control;

import static dev.sandlot.plan.Fixtures.desired;
import static dev.sandlot.plan.Fixtures.ended;
import static dev.sandlot.plan.Fixtures.incarnation;
import static dev.sandlot.plan.Fixtures.running;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.observe.RuntimeState;
import dev.sandlot.source.DesiredSandbox;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduledRunGateTest {
    private final DesiredSandbox job = desired("job", "v1");

    @Test
    void aRunStillGoingSkipsTheFire() {
        assertThat(ScheduledRunGate.previousRunGoing(List.of(running(job, "00000001", 4242)))).isTrue();
    }

    @Test
    void aFinishedRunOrNoneLetsTheFireStartOne() {
        assertThat(ScheduledRunGate.previousRunGoing(List.of())).isFalse();
        assertThat(ScheduledRunGate.previousRunGoing(List.of(
                ended(running(job, "00000001", 4242), 0, Instant.parse("2026-11-28T10:00:00Z"))))).isFalse();
        assertThat(ScheduledRunGate.previousRunGoing(List.of(
                incarnation(job, "00000001", RuntimeState.EXITED, 4242, true, true),
                incarnation(job, "00000002", RuntimeState.ABSENT, 4243, false, true)))).isFalse();
    }

    @Test
    void anyRunningIncarnationAmongEndedOnesCounts() {
        assertThat(ScheduledRunGate.previousRunGoing(List.of(
                incarnation(job, "00000001", RuntimeState.EXITED, 4242, true, true),
                running(job, "00000002", 4243)))).isTrue();
    }
}
