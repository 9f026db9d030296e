package dev.sandlot.cli;

import dev.sandlot.host.Runsc;
import dev.sandlot.host.Subreaper;
import dev.sandlot.host.Terminal;
import dev.sandlot.host.TerminalExec;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.RuntimeState;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "exec", mixinStandardHelpOptions = true,
        description = {"Run a command inside a running sandbox (runsc exec), as kubectl exec and",
            "podman exec do. When stdin and stdout are terminals (or with -t), the command",
            "gets a terminal of its own: this one goes to raw mode, its size and TERM pass",
            "on. Otherwise (or with -T) stdin, stdout and stderr pass through as they are.",
            "Exit status: the command's, or 1 when the sandbox is not running."},
        footer = {"", "Examples:", "  sandlot exec web -- /bin/sh              (interactive, with a terminal)",
            "  echo hi | sandlot exec web -- cat        (piped, no terminal)"})
final class ExecCommand implements Callable<Integer> {
    @Mixin
    CommonOptions options;

    @Option(names = {"-t", "--tty"}, description = "Give the command a terminal even when stdin or stdout is not one.")
    boolean tty;

    @Option(names = {"-T", "--no-tty"}, description = "Never give the command a terminal: pipes pass through as they are.")
    boolean noTty;

    @Option(names = {"-i", "--stdin"}, description = "Accepted for kubectl and podman habits: stdin always passes.")
    boolean stdin;

    @Parameters(index = "0", paramLabel = "NAME", description = "The sandbox (metadata.name).")
    String name;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "ARG", description = "The command and its arguments (after --).")
    List<String> command;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (tty && noTty) {
            err.println("sandlot exec: -t and -T exclude each other");
            return 1;
        }
        try {
            Context context = Context.open(options);
            Optional<Incarnation> running = context.host.observer().observe().of(name).stream()
                    .filter(i -> i.runtime() == RuntimeState.RUNNING).findFirst();
            if (running.isEmpty()) {
                err.println("sandlot exec: " + name + " is not running (see sandlot status)");
                return 1;
            }
            String id = running.get().id().value();
            Runsc runsc = context.host.runsc();
            if (wantsTerminal(tty, noTty, Terminal.isTerminal(Terminal.STDIN), Terminal.isTerminal(Terminal.STDOUT))) {
                Context.becomeSubreaper();
                Subreaper reaper = Subreaper.current();
                Optional<String> unsupported = reaper == null
                        ? Optional.of("sandlot cannot collect its exit code here (it is not the child subreaper)")
                        : runsc.terminalUnsupported(id, command);
                if (unsupported.isEmpty()) {
                    return runsc.execWithTerminal(id, command, System.getenv("TERM"), reaper::exitCode,
                            TerminalExec.Io.standard(err));
                }
                err.println("sandlot exec: running without a terminal: " + unsupported.get());
                err.flush();
            }
            return runsc.execAttached(id, command);
        } catch (Exception e) {
            err.println("sandlot exec: " + Errors.describe(e));
            return 1;
        }
    }

    /** -T never, -t always, otherwise when stdin and stdout both are terminals (as podman exec -it decides). */
    static boolean wantsTerminal(boolean tty, boolean noTty, boolean stdinIsTerminal, boolean stdoutIsTerminal) {
        if (noTty) {
            return false;
        }
        return tty || (stdinIsTerminal && stdoutIsTerminal);
    }
}
