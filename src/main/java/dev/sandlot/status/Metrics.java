package dev.sandlot.status;

import dev.sandlot.host.Cgroups;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics. Per-sandbox CPU and memory are read from each sandbox's cgroup
 * at scrape time only, so an idle daemon spends nothing on them.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge sandboxes;
    private final Histogram reconcileSeconds;
    private final Counter errors;
    private final Counter actions;
    private final Gauge manifestErrors;
    private final Counter restarts;
    private final io.prometheus.metrics.core.metrics.Info sourceInfo;
    private final Gauge sourceApplied;
    private final SandboxSeries perSandbox;

    /** What the per-sandbox callbacks read: name → cgroups path of its running incarnation. */
    public Metrics(Supplier<Map<String, String>> cgroupsByName, Cgroups cgroups) {
        sandboxes = Gauge.builder().name("sandlot_sandboxes").help("Sandboxes by phase")
                .labelNames("phase").register(registry);
        for (Phase p : Phase.values()) {
            sandboxes.labelValues(p.name()).set(0);
        }
        reconcileSeconds = Histogram.builder().name("sandlot_reconcile_duration_seconds")
                .help("Duration of one sandbox's pass (observe, plan, apply)")
                .classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
                .register(registry);
        errors = Counter.builder().name("sandlot_reconcile_errors_total").help("Failed passes by step")
                .labelNames("reason").register(registry);
        actions = Counter.builder().name("sandlot_actions_total").help("Actions carried out, by type")
                .labelNames("type").register(registry);
        manifestErrors = Gauge.builder().name("sandlot_manifest_errors")
                .help("Manifest files that currently have errors").register(registry);
        restarts = Counter.builder().name("sandlot_sandbox_restarts_total")
                .help("Sandboxes recreated after their process or network was lost").labelNames("name")
                .register(registry);
        sourceInfo = io.prometheus.metrics.core.metrics.Info.builder().name("sandlot_source")
                .help("The manifest source; revision is the applied git commit (empty for a folder)")
                .labelNames("kind", "revision").register(registry);
        sourceApplied = Gauge.builder().name("sandlot_source_applied_timestamp_seconds")
                .help("When the applied git commit became the desired state (Unix time)").register(registry);
        perSandbox = new SandboxSeries(registry);
        GaugeWithCallback.builder().name("sandlot_sandbox_memory_bytes")
                .help("Memory use of each running sandbox, from its cgroup").labelNames("name")
                .callback(cb -> cgroupsByName.get().forEach((name, path) -> cgroups.usage(path)
                        .map(Cgroups.Usage::memoryBytes).ifPresent(v -> cb.call(v, name))))
                .register(registry);
        CounterWithCallback.builder().name("sandlot_sandbox_cpu_seconds_total")
                .help("CPU time of each running sandbox, from its cgroup").labelNames("name")
                .callback(cb -> cgroupsByName.get().forEach((name, path) -> cgroups.usage(path)
                        .map(Cgroups.Usage::cpuNanos).ifPresent(v -> cb.call(v / 1e9, name))))
                .register(registry);
    }

    public void phases(List<SandboxStatus> rows) {
        for (Phase p : Phase.values()) {
            sandboxes.labelValues(p.name()).set(rows.stream().filter(r -> r.phase() == p).count());
        }
    }

    /** The status rows as written: sandboxes per phase, and each sandbox's readiness, exit code and reason. */
    public void statuses(List<SandboxStatus> rows) {
        phases(rows);
        perSandbox.update(rows);
    }

    public void pass(double seconds) {
        reconcileSeconds.observe(seconds);
    }

    public void error(String reason) {
        errors.labelValues(reason).inc();
    }

    public void action(String type) {
        actions.labelValues(type).inc();
    }

    public void restart(String name) {
        restarts.labelValues(name).inc();
    }

    public void manifestErrors(int files) {
        manifestErrors.set(files);
    }

    /** The source and its applied revision: one series with value 1, as Prometheus info metrics do. */
    public void source(dev.sandlot.source.SourceStatus status) {
        sourceInfo.setLabelValues(status.kind(), status.revision() == null ? "" : status.revision());
        if (status.appliedAt() != null) {
            sourceApplied.set(status.appliedAt().toEpochMilli() / 1000.0);
        }
    }

    public void write(OutputStream out) throws IOException {
        new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    }
}
