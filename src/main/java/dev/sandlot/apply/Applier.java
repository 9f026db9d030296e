package dev.sandlot.apply;

import dev.sandlot.plan.Action;
import dev.sandlot.plan.Plan;
import dev.sandlot.plan.Planner;
import dev.sandlot.plan.SandboxPlan;
import dev.sandlot.state.SandboxId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.MDC;

/**
 * Carries out plans. Each name's actions run in order (teardowns, then the create); different
 * names run in parallel on a bounded pool, because most of a sandbox's bring-up and teardown is
 * waiting on runsc and the plugins, not CPU.
 */
public final class Applier {
    private final HostClients host;
    private final SandboxCreator creator;
    private final SandboxTeardown teardown;
    private final int parallelism;

    public Applier(HostClients host, int parallelism, RandomGenerator random, Duration gracePeriod) {
        this.host = host;
        this.teardown = new SandboxTeardown(host, gracePeriod);
        this.creator = new SandboxCreator(host, teardown, random);
        this.parallelism = Math.max(1, parallelism);
    }

    /** Applies every change of {@code plan}; {@code progress} hears each sandbox as it finishes. */
    public List<SandboxResult> apply(Plan plan, Consumer<SandboxResult> progress) throws InterruptedException {
        List<SandboxPlan> changes = plan.changes();
        if (changes.isEmpty()) {
            return List.of();
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(parallelism, changes.size()), r -> {
            Thread t = new Thread(r, "apply");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<SandboxResult>> futures = new ArrayList<>();
            for (SandboxPlan p : changes) {
                futures.add(pool.submit(() -> {
                    SandboxResult result = applyOne(p);
                    progress.accept(result);
                    return result;
                }));
            }
            List<SandboxResult> results = new ArrayList<>();
            for (Future<SandboxResult> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("apply worker failed", e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Applies one name's plan; never throws for a host failure, it reports it. */
    public SandboxResult applyOne(SandboxPlan plan) {
        long start = System.nanoTime();
        List<String> done = new ArrayList<>();
        SandboxId created = null;
        boolean restart = false;
        ApplyException deferred = null;
        MDC.put("sandbox", plan.name());
        try {
            for (Action action : plan.actions()) {
                if (action instanceof Action.Teardown t) {
                    try {
                        teardown.teardown(t.incarnation().id(), t.incarnation().container(), false,
                                !t.incarnation().missingHostInterfaces().isEmpty());
                        done.add("removed " + t.incarnation().id() + " (" + t.reason() + ")");
                    } catch (ApplyException e) {
                        if (e.blocking()) {
                            throw e;
                        }
                        deferred = e;
                    }
                } else if (action instanceof Action.Create c) {
                    created = creator.create(c.sandbox());
                    restart = !"new".equals(c.reason()) && !"spec changed".equals(c.reason())
                            && !Planner.ROOTFS_CHANGED.equals(c.reason());
                    done.add("created " + created + " (" + c.reason() + ")");
                }
            }
            if (deferred != null) {
                // The new incarnation exists; only a leftover of the old one failed: report both.
                return new SandboxResult(plan.name(), done, created, deferred.getMessage(), deferred.step(),
                        Duration.ofNanos(System.nanoTime() - start), restart, plan.restartAttempt());
            }
            return new SandboxResult(plan.name(), done, created, null, null,
                    Duration.ofNanos(System.nanoTime() - start), restart, plan.restartAttempt());
        } catch (ApplyException e) {
            return new SandboxResult(plan.name(), done, created, e.getMessage(), e.step(),
                    Duration.ofNanos(System.nanoTime() - start), false, 0);
        } finally {
            collectRootfs(plan, created);
            MDC.remove("sandbox");
        }
    }

    /** An incarnation went (or a create failed): the unpacked rootfs trees no record names go too. */
    private void collectRootfs(SandboxPlan plan, SandboxId created) {
        boolean tornDown = plan.actions().stream().anyMatch(a -> a instanceof Action.Teardown);
        boolean failedCreate = created == null && plan.actions().stream().anyMatch(a -> a instanceof Action.Create);
        if (tornDown || failedCreate) {
            try {
                host.rootfs().collect(host.state());
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Applier.class).warn("cannot collect rootfs trees: {}", e.getMessage());
            }
        }
    }

    public HostClients host() {
        return host;
    }
}
