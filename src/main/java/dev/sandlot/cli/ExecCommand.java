package dev.sandlot.cli;

import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.RuntimeState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command inside a running sandbox (runsc exec), attached to this terminal,",
            "as kubectl exec and podman exec do. Exit status: the command's, or 1 when the sandbox",
            "is not running."},
        footer = {"", "Examples:", "  sandlot exec web -- cat /etc/hosts", "  sandlot exec web -- /bin/sh"})
final class ExecCommand implements Callable<Integer> {
    @Mixin
    CommonOptions options;

    @Parameters(index = "0", paramLabel = "NAME", description = "The sandbox (metadata.name).")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "ARG", description = "The command and its arguments (after --).")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            Context context = Context.open(options);
            Optional<Incarnation> running = context.host.observer().observe().of(name).stream()
                    .filter(i -> i.runtime() == RuntimeState.RUNNING).findFirst();
            if (running.isEmpty()) {
                spec.commandLine().getErr().println("sandlot exec: " + name + " is not running (see sandlot status)");
                return 1;
            }
            return context.host.runsc().execAttached(running.get().id().value(), command);
        } catch (Exception e) {
            spec.commandLine().getErr().println("sandlot exec: " + Errors.describe(e));
            return 1;
        }
    }
}
