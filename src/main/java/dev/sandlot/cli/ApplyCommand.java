package dev.sandlot.cli;

import dev.sandlot.apply.Applier;
import dev.sandlot.apply.SandboxResult;
import dev.sandlot.control.RunLock;
import dev.sandlot.plan.Plan;
import dev.sandlot.plan.Planner;
import dev.sandlot.plan.SandboxPlan;
import dev.sandlot.status.StatusRecorder;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;

@Command(name = "apply", mixinStandardHelpOptions = true,
        description = {"Converge the host to the manifests once, then exit.",
            "Creates, replaces and removes sandboxes in parallel; prints each as it finishes.",
            "Exit status: 0 converged, 1 otherwise (each failure is named)."},
        footer = {"", "Example:", "  sandlot apply --manifests ./manifests --runsc-flag=--network=host"})
final class ApplyCommand extends ConvergeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Context.becomeSubreaper();
        try (RunLock lock = RunLock.acquire(options.resolve().runDir())) {
            Snapshot s = snapshot(true);
            printFileErrors(s.desired());
            StatusRecorder recorder = new StatusRecorder(s.context().settings.runDir());
            Plan plan = Planner.plan(s.desired(), s.observed(), recorder.planContext(java.time.Instant.now()));
            List<SandboxPlan> changes = plan.changes();
            if (changes.isEmpty()) {
                out().println("in sync: " + s.desired().sandboxes().size() + " sandboxes, nothing to do");
            } else {
                changes.forEach(p -> out().println(p.describe()));
            }
            out().flush();
            Applier applier = new Applier(s.context().host, s.context().settings.parallelism(),
                    new SecureRandom(), ApplyDefaults.GRACE_PERIOD);
            AtomicInteger finished = new AtomicInteger();
            List<SandboxResult> results = applier.apply(plan, r -> {
                recorder.record(r);
                synchronized (this) {
                    int n = finished.incrementAndGet();
                    String progress = "[" + n + "/" + changes.size() + "] ";
                    if (r.ok()) {
                        out().printf("%s%s: %s in %.1f s%n", progress, r.name(), String.join(", ", r.done()),
                                r.took().toMillis() / 1000.0);
                    } else {
                        err().println(progress + "FAILED " + r.error());
                    }
                    out().flush();
                }
            });
            // Re-observe only when something changed: a no-op pass makes exactly one runsc call.
            recorder.write(s.desired(), changes.isEmpty() ? s.observed() : s.context().host.observer().observe());
            long failed = results.stream().filter(r -> !r.ok()).count();
            List<SandboxPlan> waiting = plan.sandboxes().stream().filter(p -> p.waiting() != null).toList();
            waiting.forEach(p -> err().println(p.name() + ": " + p.waiting() + ", next restart in "
                    + p.retryAfter().toSeconds() + " s (sandlot run restarts it then)"));
            failed += waiting.size();
            if (failed > 0 || s.desired().hasErrors()) {
                err().println("not converged: " + failed + " sandbox(es) failed, "
                        + s.desired().fileErrors().size() + " file(s) with errors");
                return 1;
            }
            return 0;
        } catch (Exception e) {
            err().println("sandlot apply: " + Errors.describe(e));
            return 1;
        }
    }
}
