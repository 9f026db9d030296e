package dev.sandlot.cli;

import dev.sandlot.apply.Applier;
import dev.sandlot.apply.SandboxResult;
import dev.sandlot.control.RunLock;
import dev.sandlot.observe.Observation;
import dev.sandlot.plan.Action;
import dev.sandlot.plan.Plan;
import dev.sandlot.plan.SandboxPlan;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "down", mixinStandardHelpOptions = true,
        description = {"Stop and remove sandboxes sandlot owns; manifests are left untouched",
            "(a following apply or the daemon brings them back).",
            "Exit status: 0 when all named sandboxes are gone."},
        footer = {"", "Examples:", "  sandlot down web", "  sandlot down --all"})
final class DownCommand extends ConvergeCommand implements Callable<Integer> {
    static final class Selection {
        @Option(names = "--all", required = true, description = "Every sandbox sandlot owns.")
        boolean all;

        @Parameters(paramLabel = "NAME", arity = "1..*", description = "Sandboxes to remove.")
        List<String> names;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Selection selection;

    @Override
    public Integer call() {
        Context.becomeSubreaper();
        try (RunLock lock = RunLock.acquire(options.resolve().runDir())) {
            Context context = Context.open(options);
            context.host.state().init();
            Observation observed = context.host.observer().observe();
            List<SandboxPlan> plans = new ArrayList<>();
            List<String> names = selection.all ? new ArrayList<>(observed.byName().keySet()) : selection.names;
            for (String n : names) {
                if (observed.of(n).isEmpty()) {
                    if (!selection.all) {
                        out().println(n + ": not running (nothing to remove)");
                    }
                    continue;
                }
                plans.add(new SandboxPlan(n, observed.of(n).stream()
                        .<Action>map(i -> new Action.Teardown(i, "down")).toList()));
            }
            rotateSandboxLogs(context); // the sandboxes that stay keep writing; those removed wrote their last
            if (plans.isEmpty()) {
                out().println("nothing to remove");
                return 0;
            }
            Applier applier = new Applier(context.host, context.settings.parallelism(), new SecureRandom(),
                    ApplyDefaults.GRACE_PERIOD);
            AtomicInteger finished = new AtomicInteger();
            List<SandboxResult> results = applier.apply(new Plan(plans), r -> {
                synchronized (this) {
                    String progress = "[" + finished.incrementAndGet() + "/" + plans.size() + "] ";
                    if (r.ok()) {
                        out().printf("%s%s: removed in %.1f s%n", progress, r.name(), r.took().toMillis() / 1000.0);
                    } else {
                        err().println(progress + "FAILED " + r.error());
                    }
                    out().flush();
                }
            });
            long failed = results.stream().filter(r -> !r.ok()).count();
            return failed == 0 ? 0 : 1;
        } catch (Exception e) {
            err().println("sandlot down: " + Errors.describe(e));
            return 1;
        }
    }
}
