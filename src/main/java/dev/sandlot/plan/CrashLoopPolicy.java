package dev.sandlot.plan;

import java.time.Duration;

/**
 * kubelet's crash-loop back-off: the first restart is immediate, then each consecutive restart
 * waits twice as long (10 s, 20 s, 40 s, ... up to 5 min); a sandbox that ran for 10 min before
 * exiting starts the count over.
 */
public record CrashLoopPolicy(Duration base, Duration max, Duration resetAfter) {
    public static final CrashLoopPolicy DEFAULT =
            new CrashLoopPolicy(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10));

    public static CrashLoopPolicy of(dev.sandlot.config.Settings settings) {
        return new CrashLoopPolicy(settings.crashLoopInitial(), settings.crashLoopMax(), settings.crashLoopReset());
    }

    /** The wait before restart number {@code previousRestarts + 1}. */
    public Duration delay(int previousRestarts) {
        if (previousRestarts <= 0) {
            return Duration.ZERO;
        }
        long millis = base.toMillis() << Math.min(previousRestarts - 1, 30);
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }
}
