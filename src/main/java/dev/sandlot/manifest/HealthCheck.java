package dev.sandlot.manifest;

import java.time.Duration;

/**
 * How sandlot decides that a running sandbox is Ready: exactly one of {@code http}, {@code tcp}
 * (both against the sandbox's IP) or {@code exec} (run inside with {@code runsc exec}), every
 * {@code interval}, each try given {@code timeout}; {@code failureThreshold} failures in a row make
 * it unhealthy (restarted per its restart policy); failures in the first {@code startPeriod} do not
 * count. Manifest syntax:
 * {@code healthCheck: {http: {port: 8000, path: /, expectStatus: 200}, interval: 5s, timeout: 1s, failureThreshold: 3, startPeriod: 2s}}.
 *
 * @param intervalMillis    1 s to 1 h; default 10 s
 * @param timeoutMillis     100 ms to 1 h; default 1 s
 * @param failureThreshold  1 to 100; default 3
 * @param startPeriodMillis 0 to 1 h; default 0
 */
public record HealthCheck(
        HttpCheck http,
        TcpCheck tcp,
        ExecCheck exec,
        long intervalMillis,
        long timeoutMillis,
        int failureThreshold,
        long startPeriodMillis) {

    public static final long DEFAULT_INTERVAL_MILLIS = 10_000;
    public static final long DEFAULT_TIMEOUT_MILLIS = 1_000;
    public static final int DEFAULT_FAILURE_THRESHOLD = 3;
    public static final long DEFAULT_START_PERIOD_MILLIS = 0;

    public HealthCheck {
        int kinds = (http == null ? 0 : 1) + (tcp == null ? 0 : 1) + (exec == null ? 0 : 1);
        if (kinds != 1) {
            throw new IllegalArgumentException("a health check is exactly one of http, tcp or exec");
        }
    }

    public Duration interval() {
        return Duration.ofMillis(intervalMillis);
    }

    public Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }

    public Duration startPeriod() {
        return Duration.ofMillis(startPeriodMillis);
    }
}
