package dev.sandlot.control;

import dev.sandlot.host.ExecResult;
import dev.sandlot.host.HostException;
import dev.sandlot.host.Runsc;
import dev.sandlot.manifest.HealthCheck;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.plan.Planner;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import dev.sandlot.status.StatusBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

    private final Runsc runsc;
    private final Listener listener;
    private final ScheduledExecutorService probes = Executors.newScheduledThreadPool(2,
            WorkQueue.daemonThreads("health"));
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, Probe> byId = new ConcurrentHashMap<>();

    HealthMonitor(Runsc runsc, Listener listener) {
        this.runsc = runsc;
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

    /** One try; null on success, else why it failed (never content the sandbox sent). */
    private String probe(Probe p) {
        HealthCheck c = p.check;
        Duration timeout = Duration.ofMillis(c.timeoutMillis());
        if (c.exec() != null) {
            try {
                ExecResult r = runsc.execCaptured(p.incarnation.id().value(), c.exec().command(), timeout);
                return r.exitCode() == 0 ? null : "exec exited with code " + r.exitCode();
            } catch (HostException e) {
                return "exec failed: " + e.getMessage();
            }
        }
        if (p.ip == null) {
            return "the sandbox has no IPv4 address to check";
        }
        if (c.tcp() != null) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(p.ip, c.tcp().port()), (int) c.timeoutMillis());
                return null;
            } catch (IOException e) {
                return "tcp " + p.ip + ":" + c.tcp().port() + ": " + e.getMessage();
            }
        }
        URI uri = URI.create("http://" + p.ip + ":" + c.http().port() + c.http().path());
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == c.http().expectStatus() ? null
                    : "GET " + uri + " answered " + r.statusCode() + ", expected " + c.http().expectStatus();
        } catch (IOException e) {
            return "GET " + uri + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public void close() {
        probes.shutdownNow();
    }
}
