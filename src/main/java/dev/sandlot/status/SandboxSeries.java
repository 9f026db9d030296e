package dev.sandlot.status;

import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The per-sandbox series that mirror a status row: readiness, the last exit code and the
 * reason. Each is labelled {@code name} like {@code sandlot_sandbox_restarts_total}, and a
 * sandbox that leaves the status (its manifest and its last incarnation gone) leaves the metrics.
 */
final class SandboxSeries {
    private final Gauge ready;
    private final Gauge lastExitCode;
    private final Gauge reason;
    /** The reason each name's series shows now, so that a changed reason replaces the old series. */
    private final Map<String, String> shownReason = new HashMap<>();

    SandboxSeries(PrometheusRegistry registry) {
        ready = Gauge.builder().name("sandlot_sandbox_ready")
                .help("1 when the sandbox runs and passes its health check (Running without a check is Ready), else 0")
                .labelNames("name").register(registry);
        lastExitCode = Gauge.builder().name("sandlot_sandbox_last_exit_code")
                .help("Exit code of the sandbox's last ended process; absent until an exit code is known")
                .labelNames("name").register(registry);
        reason = Gauge.builder().name("sandlot_sandbox_status_reason")
                .help("Why the sandbox is in its phase (CrashLoopBackOff, Error, Completed, WaitingForDependencies,"
                        + " ...): one series with value 1 per sandbox that has a reason, as in the status")
                .labelNames("name", "reason").register(registry);
    }

    synchronized void update(List<SandboxStatus> rows) {
        Set<String> names = rows.stream().map(SandboxStatus::name).collect(Collectors.toSet());
        ready.removeIf(labels -> !names.contains(labels.get(0)));
        lastExitCode.removeIf(labels -> !names.contains(labels.get(0)));
        shownReason.keySet().removeIf(name -> !names.contains(name));
        reason.removeIf(labels -> !names.contains(labels.get(0)));
        for (SandboxStatus row : rows) {
            ready.labelValues(row.name()).set(row.ready() ? 1 : 0);
            // A running incarnation has no exit code yet: the previous one's stays the last known.
            if (row.exitCode() != null) {
                lastExitCode.labelValues(row.name()).set(row.exitCode());
            }
            showReason(row.name(), row.reason());
        }
    }

    private void showReason(String name, String now) {
        String before = shownReason.get(name);
        if (before != null && !before.equals(now)) {
            reason.remove(name, before);
        }
        if (now == null) {
            shownReason.remove(name);
        } else {
            reason.labelValues(name, now).set(1);
            shownReason.put(name, now);
        }
    }
}
