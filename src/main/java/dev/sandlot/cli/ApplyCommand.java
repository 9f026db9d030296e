package dev.sandlot.cli;

import dev.sandlot.apply.Applier;
import dev.sandlot.apply.SandboxResult;
import dev.sandlot.control.RunLock;
import dev.sandlot.plan.Plan;
import dev.sandlot.plan.Planner;
import dev.sandlot.plan.SandboxPlan;
import dev.sandlot.status.StatusRecorder;
import java.security.SecureRandom;
import dev.sandlot.observe.Observation;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Converge the host to the manifests once, then exit.",
            "Creates, replaces and removes sandboxes in parallel; prints each as it finishes.",
            "Exit status: 0 converged, 1 otherwise (each failure is named)."},
        footer = {"", "Example:", "  sandlot apply --manifests ./manifests --runsc-flag=--network=host"})
final class ApplyCommand extends ConvergeCommand implements Callable<Integer> {
    /** Rounds of plan-and-apply: sandboxes waiting on dependencies start in later rounds. */
    static final int MAX_ROUNDS = 16;

    @Override
    public Integer call() {
        Context.becomeSubreaper();
        try (RunLock lock = RunLock.acquire(options.resolve().runDir())) {
            Snapshot s = snapshot(true);
            printFileErrors(s.desired());
            StatusRecorder recorder = new StatusRecorder(s.context().settings.runDir(),
                    dev.sandlot.plan.CrashLoopPolicy.of(s.context().settings));
            Applier applier = new Applier(s.context().host, s.context().settings.parallelism(),
                    new SecureRandom(), ApplyDefaults.GRACE_PERIOD);
            Observation observed = s.observed();
            long failed = 0;
            Plan plan = null;
            for (int round = 0; round < MAX_ROUNDS; round++) {
                plan = Planner.plan(s.desired(), observed, recorder.planContext(Instant.now(), s.desired(), observed,
                        null, Map.of()).withRootfsDigests(s.context().host.rootfs().currentDigests(s.desired())));
                List<SandboxPlan> changes = plan.changes();
                if (changes.isEmpty()) {
                    if (round == 0) {
                        out().println("in sync: " + s.desired().sandboxes().size() + " sandboxes, nothing to do");
                    }
                    break;
                }
                changes.forEach(p -> out().println(p.describe()));
                out().flush();
                finished = 0;
                failed += applier.apply(plan, r -> report(recorder, r, changes.size())).stream()
                        .filter(r -> !r.ok()).count();
                // Re-observe only when something changed: a no-op pass makes exactly one runsc call.
                observed = s.context().host.observer().observe();
                if (failed > 0) {
                    break;
                }
            }
            recorder.write(s.desired(), observed);
            rotateSandboxLogs(s.context());
            List<SandboxPlan> waiting = plan.sandboxes().stream()
                    .filter(p -> p.waiting() != null && !p.waiting().equals("Suspended") && !p.waiting().equals("Scheduled"))
                    .toList();
            for (SandboxPlan p : waiting) {
                err().println(p.name() + ": " + p.waiting() + (p.retryAfter() == null ? ""
                        : ", looking again in " + Math.max(1, p.retryAfter().toSeconds()) + " s (sandlot run does that)"));
            }
            failed += waiting.size();
            if (failed > 0 || s.desired().hasErrors()) {
                err().println("not converged: " + failed + " sandbox(es) failed or waiting, "
                        + s.desired().fileErrors().size() + " file(s) with errors");
                return 1;
            }
            return 0;
        } catch (Exception e) {
            err().println("sandlot apply: " + Errors.describe(e));
            return 1;
        }
    }

    private int finished;

    private synchronized void report(StatusRecorder recorder, SandboxResult r, int total) {
        recorder.record(r);
        String progress = "[" + ++finished + "/" + total + "] ";
        if (r.ok()) {
            out().printf("%s%s: %s in %.1f s%n", progress, r.name(), String.join(", ", r.done()),
                    r.took().toMillis() / 1000.0);
        } else {
            err().println(progress + "FAILED " + r.error());
        }
        out().flush();
    }
}
