package dev.sandlot.control;

import dev.sandlot.apply.Applier;
import dev.sandlot.apply.HostClients;
import dev.sandlot.apply.SandboxResult;
import dev.sandlot.config.Settings;
import dev.sandlot.host.Cgroups;
import dev.sandlot.host.ProcFs;
import dev.sandlot.host.SpawnedPids;
import dev.sandlot.host.Subreaper;
import dev.sandlot.manifest.SandboxSpec;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.plan.Plan;
import dev.sandlot.plan.Planner;
import dev.sandlot.plan.SandboxPlan;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.state.ExitRecord;
import dev.sandlot.state.SandboxId;
import dev.sandlot.source.DesiredState;
import dev.sandlot.source.DesiredStore;
import dev.sandlot.source.ManifestSource;
import dev.sandlot.source.FolderWatcher;
import dev.sandlot.source.LastKnownGood;
import dev.sandlot.source.SourceStatus;
import dev.sandlot.source.SourceUnavailableException;
import dev.sandlot.source.Sources;
import dev.sandlot.status.HttpEndpoint;
import dev.sandlot.status.Metrics;
import dev.sandlot.status.SandboxStatus;
import dev.sandlot.status.StatusBuilder;
import dev.sandlot.status.StatusFile;
import dev.sandlot.status.StatusRecorder;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * {@code sandlot run}: keeps the host converged to the manifests folder until SIGTERM.
 *
 * <p>Level-triggered, like a Kubernetes controller: folder events, sandbox exits and the periodic
 * resync only say "look at sandbox X"; each pass re-reads the newest desired state and a fresh
 * observation, plans that one name, and applies. Starting adopts what runs (a healthy sandbox
 * plans to nothing); stopping finishes the passes in flight and leaves every sandbox running.
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    // Short: a rename or a burst of them lands within a few ms, and a relist that re-reads an
    // unchanged folder is cheap (files are re-parsed only when their bytes changed).
    static final Duration DEBOUNCE = Duration.ofMillis(10);
    static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(25);

    private final Settings settings;
    private final HostClients host;
    private final Notifier notifier;
    private final Applier applier;
    private final WorkQueue queue;
    private final ObservationCache observations;
    private final StatusRecorder recorder;
    private final Metrics metrics;
    private final LogRotation logRotation;
    private final AtomicBoolean statusDirty = new AtomicBoolean(true);
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Map<Integer, SandboxId> idByPid = Map.of();
    /** Incarnations a pass is tearing down now: their exits are expected, not news. */
    private final Set<SandboxId> tearingDown = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final Duration BUSY_STATUS_INTERVAL = Duration.ofSeconds(2);
    private volatile long lastStatusWrite;
    private final Map<String, Instant> runRequests = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> scheduled = new java.util.concurrent.ConcurrentHashMap<>();
    private final HealthMonitor health;
    private Timers timers;
    private final Liveness liveness;
    /** How often sandboxes the subreaper cannot see end are looked at ({@link AdoptedExits}). */
    static final Duration ADOPTED_EXIT_CHECK = Duration.ofSeconds(1);
    private volatile AdoptedExits adoptedExits;
    private volatile String livenessProblem;
    private final ManifestSource source;
    private SourceStatus lastSource;
    private DesiredStore desired;
    private FolderWatcher watcher;

    public Daemon(Settings settings, HostClients host, Notifier notifier) {
        this.settings = settings;
        this.host = host;
        this.notifier = notifier;
        this.applier = new Applier(host, settings.parallelism(), new SecureRandom(), Duration.ofSeconds(10));
        this.queue = new WorkQueue(settings.parallelism(), Duration.ofSeconds(1), Duration.ofMinutes(5));
        this.observations = new ObservationCache(() -> host.observer().observe(), System::nanoTime);
        this.recorder = new StatusRecorder(settings.runDir(), dev.sandlot.plan.CrashLoopPolicy.of(settings));
        this.metrics = new Metrics(this::cgroupsByName, new Cgroups());
        this.source = Sources.open(settings, true);
        this.health = new HealthMonitor(host.runsc(), new HealthListener());
        this.logRotation = LogRotation.sandboxLogs(host.state().stateDir());
        this.liveness = new Liveness(queue::progress, this::longestGracePeriod);
    }

    /** Runs until {@link #stop()}; the caller holds the run lock. */
    public void run(boolean reapChildren) throws Exception {
        StartupSteps startup = new StartupSteps(notifier);
        startup.next("stopping processes an earlier sandlot left running", StartupSteps.KILL_STRAGGLERS);
        host.state().init();
        // We hold the run lock: plugins or runsc calls still running for our ids were left by a
        // daemon killed mid-call, and nobody would ever time them out.
        java.util.Set<String> ids = new java.util.HashSet<>();
        host.state().loadAll().forEach(s -> ids.add(s.id().value()));
        int killed = new dev.sandlot.host.Stragglers(java.nio.file.Path.of("/proc")).kill(ids, settings.runscRoot());
        if (killed > 0) {
            LOG.warn("killed {} process(es) an earlier sandlot left running", killed);
        }
        long reaperPid = 0;
        if (reapChildren) {
            Subreaper reaper = Subreaper.start(SpawnedPids.global());
            if (reaper != null) {
                reaper.onExit(this::sandboxExited);
                reaperPid = ProcessHandle.current().pid();
            }
        }
        adoptedExits = new AdoptedExits(new ProcFs(), reaperPid);
        startup.next("reading the records and the manifests (" + source.describe() + ")", StartupSteps.READ_MANIFESTS);
        desired = new DesiredStore(LastKnownGood.fromRecords(host.state().loadAll()));
        timers = new Timers();
        relist();
        startup.next("observing the sandboxes that run (to adopt them)", StartupSteps.OBSERVE);
        Observation first = observations.fresh(observations.now());
        remember(first);
        startup.next("starting the loop", StartupSteps.START_LOOP);
        queue.start(this::reconcile);
        Set<String> names = new TreeSet<>(desired.current().sandboxes().keySet());
        names.addAll(first.byName().keySet());
        names.forEach(queue::add);

        watcher = new FolderWatcher(settings.manifestsDir(), DEBOUNCE, this::relist);
        watcher.start();
        HttpEndpoint endpoint = HttpEndpoint.start(settings.metricsAddress(), metrics, this::healthy);
        timers.every("resync", settings.resyncInterval(), this::resync);
        if (source.pollInterval() != null) {
            timers.every("fetch", source.pollInterval(), () -> {
                source.refreshNow();
                relist();
            });
        }
        timers.every("status", Duration.ofMillis(500), this::writeStatusIfDirty);
        timers.every("adopted-exits", ADOPTED_EXIT_CHECK, () -> adoptedExits.check(this::adoptedEnded));
        Duration watchdog = notifier.watchdogInterval();
        timers.every("watchdog", watchdog == null ? Duration.ofSeconds(10) : watchdog.dividedBy(3), this::beat);
        timers.start();
        notifier.ready();
        notifier.status("watching " + source.describe() + ": " + names.size() + " sandboxes");
        LOG.info("sandlot running: {}, {} sandboxes, {} workers", source.describe(), names.size(),
                settings.parallelism());
        try {
            stopRequested.await();
        } finally {
            LOG.info("stopping: finishing passes in flight; sandboxes keep running");
            notifier.stopping();
            timers.shutdown();
            health.close();
            watcher.close();
            boolean drained = queue.shutdown(SHUTDOWN_WAIT);
            if (!drained) {
                LOG.warn("passes still in flight after {} s; their next start finishes them", SHUTDOWN_WAIT.toSeconds());
            }
            writeStatus();
            if (endpoint != null) {
                endpoint.close();
            }
            stopped.countDown();
        }
    }

    /** Asks the daemon to stop and waits (bounded) until it has. Safe from a shutdown hook. */
    public void stop() {
        stopRequested.countDown();
        try {
            stopped.await(SHUTDOWN_WAIT.plusSeconds(5).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGHUP: re-read the manifests now instead of at the next event or resync. */
    public void relistNow() {
        source.refreshNow();
        if (watcher != null) {
            watcher.schedule();
        }
    }

    /** Re-reads the folder; enqueues the names whose desired sandbox changed. Serialized. */
    synchronized void relist() {
        if (watcher != null) {
            watcher.ensureWatching();
        }
        try {
            Set<String> changed = desired.update(source.read());
            DesiredState now = desired.current();
            syncSchedules(now);
            metrics.manifestErrors(now.fileErrors().size());
            now.fileErrors().values().forEach(errors -> errors.forEach(e -> LOG.warn("manifest error: {}", e)));
            if (!changed.isEmpty()) {
                LOG.info("manifests changed: {}", changed);
                changed.forEach(queue::add);
                statusDirty.set(true);
            }
        } catch (SourceUnavailableException e) {
            if (!e.getMessage().equals(desired.sourceProblem())) {
                LOG.error("{}", e.getMessage());
            }
            desired.unavailable(e.getMessage());
            statusDirty.set(true);
        } finally {
            publishSource();
        }
    }

    /** The applied commit (git) and the source's problem, into metrics and the status file. */
    private void publishSource() {
        SourceStatus now = source.status();
        if (!now.equals(lastSource)) {
            lastSource = now;
            metrics.source(now);
            recorder.source(now);
            statusDirty.set(true);
        }
    }

    /**
     * The periodic correctness pass: relist the folder, observe once, and enqueue every name the
     * planner would change (a sandbox that died, a netns deleted from outside, an orphan).
     */
    void resync() {
        relist();
        try {
            Observation o = observations.fresh(observations.now());
            remember(o);
            health.sync(desired.current(), o);
            Plan plan = Planner.plan(desired.current(), o, planContext(o)
                    .withRootfsDigests(host.rootfs().currentDigests(desired.current(), null)));
            for (SandboxPlan p : plan.changes()) {
                queue.add(p.name());
            }
            logRotation.rotate();
            host.rootfs().collect(host.state());
        } catch (Exception e) {
            LOG.warn("resync could not observe the host: {}", e.getMessage());
        }
    }

    /** One pass for one name; false asks the queue to retry with backoff. */
    boolean reconcile(String name) {
        long asked = queue.since(name); // an observation started since then shows all this pass needs
        long start = System.nanoTime();
        MDC.put("sandbox", name);
        try {
            DesiredSandbox want = desired.current().get(name);
            Observation o = observations.fresh(asked);
            remember(o);
            if (recordUnseenExits(o.of(name))) {
                o = observations.fresh(observations.now()); // plan with the exit codes just recorded
            }
            SandboxPlan plan = Planner.planOne(name, want, o.of(name), planContext(o)
                    .withRootfsDigests(host.rootfs().currentDigests(desired.current(), name)));
            if (plan.inSync()) {
                if (plan.retryAfter() != null) {
                    queue.addAfter(name, plan.retryAfter());
                    statusDirty.set(true);
                }
                return true;
            }
            LOG.info("{}", plan.describe().trim());
            recordFinishedRuns(plan);
            Set<SandboxId> stopping = plan.actions().stream()
                    .filter(a -> a instanceof dev.sandlot.plan.Action.Teardown)
                    .map(a -> ((dev.sandlot.plan.Action.Teardown) a).incarnation().id())
                    .collect(java.util.stream.Collectors.toSet());
            tearingDown.addAll(stopping);
            SandboxResult result;
            try {
                result = applier.applyOne(plan);
            } finally {
                tearingDown.removeAll(stopping);
            }
            recorder.record(result);
            result.done().forEach(d -> metrics.action(d.startsWith("created") ? "create" : "teardown"));
            if (result.restart()) {
                metrics.restart(name);
            }
            statusDirty.set(true);
            if (result.created() != null) {
                adoptedExits.forget(name); // the new sandbox is this daemon's child: the subreaper sees it end
                wakeDependents(name); // Ready at once without a health check; else they re-check
            }
            if (!result.ok()) {
                LOG.warn("{}", result.error());
                metrics.error(result.failedStep() == null ? "unknown" : result.failedStep());
                return false;
            }
            return true;
        } catch (Exception e) {
            LOG.warn("pass failed: {}", e.getMessage());
            metrics.error("observe");
            return false;
        } finally {
            metrics.pass((System.nanoTime() - start) / 1e9);
            MDC.remove("sandbox");
        }
    }

    private void remember(Observation o) {
        Map<Integer, SandboxId> pids = new HashMap<>();
        for (Incarnation i : o.all()) {
            if (i.runtime() == RuntimeState.RUNNING && i.pid() > 0) {
                pids.put(i.pid(), i.id());
            }
        }
        idByPid = pids;
        adoptedExits.track(o, this::adoptedEnded);
    }

    /** An adopted sandbox's process is gone: look at it now, not at the next resync. */
    private void adoptedEnded(SandboxId id) {
        if (!tearingDown.contains(id)) {
            LOG.info("{} ended (adopted: its exit code is unknown)", id.name());
            queue.add(id.name());
        }
    }

    /**
     * The subreaper collected a process: if it was a sandbox, record its exit code (the sandbox
     * process exits with its application's code) and look at that sandbox now.
     */
    private void sandboxExited(int pid, int exitCode) {
        SandboxId id = idByPid.get(pid);
        if (id == null) {
            id = idFromPidFiles(pid); // it ended before any observation saw it running
        }
        if (id != null) {
            boolean ours = tearingDown.contains(id);
            if (!ours) {
                LOG.info("{} exited with code {}", id.name(), exitCode);
            }
            try {
                host.state().writeExit(id, new ExitRecord(exitCode, Instant.now()));
            } catch (java.io.IOException e) {
                LOG.warn("cannot record the exit of {}: {}", id, e.getMessage());
            }
            if (!ours) {
                queue.add(id.name()); // an exit a teardown caused needs no pass of its own
            }
        }
    }

    private SandboxId idFromPidFiles(int pid) {
        try {
            return host.state().findByPid(pid).orElse(null); // called for every orphan reaped: stays cheap
        } catch (java.io.IOException e) {
            LOG.warn("cannot read records: {}", e.getMessage());
        }
        return null;
    }

    /**
     * Pins the time an ended process was first seen, so back-off delays count from a fixed point,
     * with its exit code when this daemon's subreaper collected it.
     */
    private boolean recordUnseenExits(List<Incarnation> incarnations) {
        boolean wrote = false;
        Subreaper reaper = Subreaper.current();
        for (Incarnation i : incarnations) {
            if (i.runtime() != RuntimeState.RUNNING && i.stored() != null && i.stored().exit() == null
                    && i.exitedAt() != null) {
                Integer code = reaper == null || i.stored().pid() == null ? null : reaper.exitCode(i.stored().pid());
                try {
                    host.state().writeExit(i.id(), new ExitRecord(code, i.exitedAt()));
                    wrote = true;
                } catch (java.io.IOException e) {
                    LOG.warn("cannot record the exit of {}: {}", i.id(), e.getMessage());
                }
            }
        }
        return wrote;
    }

    /**
     * WATCHDOG=1 only while the work queue moves ({@link Liveness}); a stuck daemon is left to
     * systemd's watchdog, which restarts it (the sandboxes keep running and are adopted).
     */
    private void beat() {
        String problem = liveness.problem();
        if (problem == null) {
            notifier.watchdog();
        } else if (!problem.equals(livenessProblem)) {
            LOG.error("not alive, no WATCHDOG=1 sent: {}", problem);
        }
        livenessProblem = problem;
    }

    /** For /healthz: the same test as the watchdog's. */
    boolean healthy() {
        return liveness.healthy();
    }

    /** The longest stop a pass may now wait for: the grace periods of desired and recorded sandboxes. */
    private Duration longestGracePeriod() {
        Duration longest = SandboxSpec.DEFAULT_GRACE_PERIOD;
        for (DesiredSandbox d : desired.current().sandboxes().values()) {
            longest = max(longest, d.manifest().spec().gracePeriod());
        }
        Observation o = observations.latest();
        if (o != null) {
            for (Incarnation i : o.all()) {
                if (i.stored() != null && i.stored().record() != null && i.stored().record().spec() != null) {
                    longest = max(longest, i.stored().record().spec().gracePeriod());
                }
            }
        }
        return longest;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * Writes the status file when something changed; while passes are still queued (a burst) at
     * most every {@link #BUSY_STATUS_INTERVAL}, since each write observes the host once more.
     */
    private void writeStatusIfDirty() {
        long now = System.nanoTime();
        if (queue.depth() > 0 && now - lastStatusWrite < BUSY_STATUS_INTERVAL.toNanos()) {
            return;
        }
        if (statusDirty.getAndSet(false)) {
            lastStatusWrite = now;
            writeStatus();
        }
    }

    private void writeStatus() {
        try {
            Observation o = observations.fresh(observations.now());
            remember(o);
            health.sync(desired.current(), o);
            recorder.write(desired.current(), o, planContext(o), health.readiness());
            List<SandboxStatus> rows = StatusBuilder.build(desired.current(), o, recorder.history(), planContext(o),
                    health.readiness());
            metrics.statuses(rows);
            long running = rows.stream().filter(r -> r.phase() == dev.sandlot.status.Phase.Running).count();
            notifier.status(running + "/" + rows.size() + " sandboxes running"
                    + (desired.sourceProblem() == null ? "" : "; " + desired.sourceProblem()));
        } catch (Exception e) {
            LOG.warn("cannot write status: {}", e.getMessage());
            statusDirty.set(true);
        }
    }

    private Map<String, String> cgroupsByName() {
        Observation o = observations.latest();
        Map<String, String> paths = new HashMap<>();
        if (o != null) {
            for (Incarnation i : o.all()) {
                if (i.runtime() == RuntimeState.RUNNING) {
                    paths.put(i.name(), i.id().cgroupsPath());
                }
            }
        }
        return paths;
    }

    private dev.sandlot.plan.PlanContext planContext(Observation o) {
        return recorder.planContext(Instant.now(), desired.current(), o, health.ready(), runRequests);
    }

    /** Keeps one cron job per scheduled sandbox, in step with the manifests. */
    private void syncSchedules(DesiredState now) {
        Map<String, String> wanted = new HashMap<>();
        now.sandboxes().forEach((name, d) -> {
            if (d.manifest().spec().schedule() != null) {
                wanted.put(name, d.manifest().spec().schedule());
            }
        });
        for (String name : List.copyOf(scheduled.keySet())) {
            if (!wanted.containsKey(name)) {
                try {
                    timers.remove("schedule-" + name);
                } catch (org.quartz.SchedulerException e) {
                    LOG.warn("cannot remove the schedule of {}: {}", name, e.getMessage());
                }
                scheduled.remove(name);
                runRequests.remove(name);
            }
        }
        wanted.forEach((name, cron) -> {
            if (cron.equals(scheduled.get(name))) {
                return;
            }
            try {
                timers.cron("schedule-" + name, cron, () -> fire(name));
                scheduled.put(name, cron);
            } catch (org.quartz.SchedulerException e) {
                LOG.warn("cannot schedule {} ({}): {}", name, cron, e.getMessage());
            }
        });
    }

    /** A schedule fired: request a run, unless the previous one still goes (then this one is skipped). */
    private void fire(String name) {
        try {
            Observation o = observations.fresh(observations.now());
            if (ScheduledRunGate.previousRunGoing(o.of(name))) {
                LOG.info("[{}] scheduled run skipped: the previous run is still going", name);
                return;
            }
        } catch (Exception e) {
            LOG.warn("[{}] scheduled run skipped: cannot observe the host ({})", name, e.getMessage());
            return;
        }
        LOG.info("[{}] scheduled run", name);
        runRequests.put(name, Instant.now());
        queue.add(name);
    }

    /** Finished runs of a scheduled sandbox about to be replaced go into its history. */
    private void recordFinishedRuns(SandboxPlan plan) {
        for (dev.sandlot.plan.Action a : plan.actions()) {
            if (a instanceof dev.sandlot.plan.Action.Teardown t && "previous run".equals(t.reason())
                    && t.incarnation().exitedAt() != null) {
                Incarnation i = t.incarnation();
                recorder.recordRun(plan.name(), new StatusBuilder.Run(i.createdAt(), i.exitedAt(), i.exitCode()));
            }
        }
    }

    private void wakeDependents(String name) {
        desired.current().sandboxes().values().stream()
                .filter(d -> d.manifest().spec().dependsOn().contains(name))
                .forEach(d -> queue.add(d.name()));
    }

    /** Health checks: readiness changes wake dependents; an unhealthy sandbox is stopped. */
    private final class HealthListener implements HealthMonitor.Listener {
        @Override
        public void readinessChanged(String name, boolean ready) {
            LOG.info("[{}] {}", name, ready ? "ready" : "not ready");
            statusDirty.set(true);
            wakeDependents(name);
        }

        @Override
        public void unhealthy(Incarnation incarnation, String why) {
            LOG.warn("[{}] unhealthy, stopping it: {}", incarnation.name(), why);
            recorder.recordError(incarnation.name(), why);
            metrics.error("health check");
            statusDirty.set(true);
            stopper.submit(() -> stopUnhealthy(incarnation));
        }
    }

    private final java.util.concurrent.ExecutorService stopper =
            java.util.concurrent.Executors.newSingleThreadExecutor(WorkQueue.daemonThreads("stop-unhealthy"));

    /**
     * Stops an unhealthy sandbox like a graceful stop (its stop signal, grace period, then KILL);
     * its end then goes through the same path as any exit, so the restart policy decides.
     */
    private void stopUnhealthy(Incarnation incarnation) {
        DesiredSandbox d = desired.current().get(incarnation.name());
        String signal = d == null ? "TERM" : d.manifest().spec().effectiveStopSignal();
        Duration grace = d == null ? Duration.ofSeconds(10) : d.manifest().spec().gracePeriod();
        try {
            host.state().writeExit(incarnation.id(), new ExitRecord(null, Instant.now()));
            host.runsc().kill(incarnation.id().value(), signal);
            if (!host.runsc().waitStopped(incarnation.pid(), grace)) {
                host.runsc().kill(incarnation.id().value(), "KILL");
            }
        } catch (Exception e) {
            LOG.warn("[{}] cannot stop the unhealthy sandbox: {}", incarnation.name(), e.getMessage());
        }
        queue.add(incarnation.name());
    }

    StatusFile statusFile() {
        return new StatusFile(settings.runDir());
    }
}
