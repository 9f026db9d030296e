package dev.sandlot.cli;

import dev.sandlot.plan.Plan;
import dev.sandlot.plan.Planner;
import dev.sandlot.plan.SandboxPlan;
import dev.sandlot.status.StatusRecorder;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {"Print the actions that would converge the host, touching nothing.",
            "Exit status: 0 in sync, 2 changes pending, 1 error."},
        footer = {"", "Example:", "  sandlot plan --manifests /etc/sandlot/manifests"})
final class PlanCommand extends ConvergeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        try {
            Snapshot s = snapshot(false);
            printFileErrors(s.desired());
            Plan plan = Planner.plan(s.desired(), s.observed(),
                    new StatusRecorder(s.context().settings.runDir(),
                    dev.sandlot.plan.CrashLoopPolicy.of(s.context().settings)).planContext(java.time.Instant.now(), s.desired(), s.observed(), null, Map.of())
                    .withRootfsDigests(s.context().host.rootfs().currentDigests(s.desired())));
            for (SandboxPlan p : plan.changes()) {
                out().println(p.describe());
            }
            if (plan.inSync()) {
                out().println("in sync: " + s.desired().sandboxes().size() + " sandboxes, nothing to do");
                return s.desired().hasErrors() ? 1 : 0;
            }
            out().println(plan.changes().size() + " sandboxes to change");
            return 2;
        } catch (Exception e) {
            err().println("sandlot plan: " + Errors.describe(e));
            return 1;
        }
    }
}
