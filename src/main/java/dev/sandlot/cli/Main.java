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
        System.exit(execute(args));
    }

    /** Runs one command line and returns its exit status (tests call this instead of main). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
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
