package dev.sandlot.control;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-key exponential backoff: base, doubling per consecutive failure, capped; a success resets
 * it. Not thread-safe on its own; the work queue calls it under its lock.
 */
final class Backoff {
    private final Duration base;
    private final Duration max;
    private final Map<String, Integer> failures = new HashMap<>();

    Backoff(Duration base, Duration max) {
        this.base = base;
        this.max = max;
    }

    /** The delay before the next attempt of {@code key}, counting this failure. */
    Duration next(String key) {
        int n = failures.merge(key, 1, Integer::sum);
        long millis = base.toMillis() << Math.min(n - 1, 30);
        return millis <= 0 || millis > max.toMillis() ? max : Duration.ofMillis(millis);
    }

    void reset(String key) {
        failures.remove(key);
    }

    int failures(String key) {
        return failures.getOrDefault(key, 0);
    }
}
