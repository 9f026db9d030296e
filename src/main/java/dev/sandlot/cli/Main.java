package dev.sandlot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code sandlot} command: one subcommand per verb of DESIGN.md §2. */
@Command(
        name = "sandlot",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Declarative gVisor sandboxes: one running, networked runsc sandbox per YAML manifest.",
        subcommands = {
            ValidateCommand.class,
            PlanCommand.class,
            ApplyCommand.class,
            RunCommand.class,
            StatusCommand.class,
            LogsCommand.class,
            ExecCommand.class,
            DownCommand.class,
            DoctorCommand.class,
            SyncCommand.class,
            ExportCommand.class,
            CommandLine.HelpCommand.class,
            picocli.AutoComplete.GenerateCompletion.class,
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        Context.standalone = true;
        System.exit(execute(args));
    }

    /** Runs one command line and returns its exit status (tests call this instead of main). */
    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** Runs one command line with its output going to the given writers (null: the console). */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        // Errors in arguments are usage errors: exit 1 like the other failures, not picocli's 2,
        // because `plan` reserves 2 for "changes pending".
        cli.setParameterExceptionHandler((ex, argv) -> {
            cli.getErr().println(ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, cli.getErr());
            cli.getErr().println("Try 'sandlot " + ex.getCommandLine().getCommandName() + " --help'.");
            return 1;
        });
        return cli.execute(args);
    }
}
