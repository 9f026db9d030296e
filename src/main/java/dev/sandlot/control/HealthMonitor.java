package dev.sandlot.control;

import dev.sandlot.host.Runsc;
import dev.sandlot.manifest.HealthCheck;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.plan.Planner;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import dev.sandlot.status.StatusBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each running sandbox's {@code healthCheck} (http or tcp against its IP, or an argv through
 * {@code runsc exec}) every interval after its start period. {@code failureThreshold} failures in
 * a row make it not Ready and unhealthy: the daemon then stops it, and its restart policy decides
 * what follows, exactly as for a process that exited by itself.
 */
final class HealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthMonitor.class);

    /** Hears readiness changes and unhealthy sandboxes. */
    interface Listener {
        void readinessChanged(String name, boolean ready);

        void unhealthy(Incarnation incarnation, String why);
    }

    private final HealthProbe checker;
    private final Listener listener;
    private final ScheduledExecutorService probes = Executors.newScheduledThreadPool(2,
            WorkQueue.daemonThreads("health"));
    private final Map<String, Probe> byId = new ConcurrentHashMap<>();

    HealthMonitor(Runsc runsc, Listener listener) {
        this.checker = new HealthProbe(runsc);
        this.listener = listener;
    }

    /** One sandbox incarnation under watch. */
    private final class Probe {
        final Incarnation incarnation;
        final HealthCheck check;
        final String ip;
        volatile ScheduledFuture<?> future;
        int failures;
        volatile boolean ready;
        volatile boolean reported;
        volatile String lastFailure;

        Probe(Incarnation incarnation, HealthCheck check, String ip) {
            this.incarnation = incarnation;
            this.check = check;
            this.ip = ip;
        }

        void run() {
            String failure;
            try {
                failure = probe(this);
            } catch (RuntimeException e) {
                failure = e.toString();
            }
            String name = incarnation.name();
            if (failure == null) {
                failures = 0;
                lastFailure = null;
                if (!ready) {
                    ready = true;
                    listener.readinessChanged(name, true);
                }
                return;
            }
            failures++;
            lastFailure = failure;
            LOG.info("[{}] health check failed ({}/{}): {}", name, failures, check.failureThreshold(), failure);
            if (failures >= check.failureThreshold() && !reported) {
                reported = true;
                if (ready) {
                    ready = false;
                    listener.readinessChanged(name, false);
                }
                listener.unhealthy(incarnation, "health check failed " + failures + " times: " + failure);
            }
        }
    }

    /** Watches exactly the running incarnations whose current spec has a health check. */
    synchronized void sync(DesiredState desired, Observation observed) {
        Map<String, Incarnation> wanted = new HashMap<>();
        for (Incarnation inc : observed.all()) {
            DesiredSandbox d = desired.get(inc.name());
            if (d != null && d.manifest().spec().healthCheck() != null && Planner.problem(inc, d) == null) {
                wanted.put(inc.id().value(), inc);
            }
        }
        byId.entrySet().removeIf(e -> {
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().future.cancel(false);
                return true;
            }
            return false;
        });
        for (Map.Entry<String, Incarnation> e : wanted.entrySet()) {
            if (byId.containsKey(e.getKey())) {
                continue;
            }
            Incarnation inc = e.getValue();
            HealthCheck check = desired.get(inc.name()).manifest().spec().healthCheck();
            Probe probe = new Probe(inc, check, StatusBuilder.ipOf(inc));
            probe.future = probes.scheduleWithFixedDelay(probe::run, check.startPeriodMillis(),
                    check.intervalMillis(), TimeUnit.MILLISECONDS);
            byId.put(e.getKey(), probe);
        }
    }

    /** Names under watch and whether each is Ready; a sandbox without a health check is not listed. */
    Map<String, Boolean> readiness() {
        Map<String, Boolean> ready = new HashMap<>();
        byId.values().forEach(p -> ready.merge(p.incarnation.name(), p.ready, Boolean::logicalOr));
        return ready;
    }

    /** Names whose health check has passed (and not failed since). */
    Set<String> ready() {
        Set<String> names = new java.util.HashSet<>();
        readiness().forEach((name, ready) -> {
            if (ready) {
                names.add(name);
            }
        });
        return names;
    }

    String lastFailure(String name) {
        return byId.values().stream().filter(p -> p.incarnation.name().equals(name) && p.lastFailure != null)
                .map(p -> p.lastFailure).findFirst().orElse(null);
    }

    private String probe(Probe p) {
        return checker.check(p.check, p.incarnation.id().value(), p.ip);
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
