package dev.sandlot.control;

import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.RuntimeState;
import java.util.List;

/**
 * Whether a schedule's fire time starts a run. A run still going skips the fire (a CronJob's
 * {@code concurrencyPolicy: Forbid}); Quartz alone would only delay an overlapping fire, and a
 * sandbox has exactly one incarnation per name, so two runs could never go side by side anyway.
 */
final class ScheduledRunGate {
    private ScheduledRunGate() {
    }

    /** True when one of the name's incarnations still runs: that fire is skipped. */
    static boolean previousRunGoing(List<Incarnation> incarnations) {
        return incarnations.stream().anyMatch(i -> i.runtime() == RuntimeState.RUNNING);
    }
}
