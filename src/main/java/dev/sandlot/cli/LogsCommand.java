package dev.sandlot.cli;

import dev.sandlot.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Print a sandbox's stdout and stderr (kept across restarts and after removal).",
            "Exit status: 0, or 1 for a name sandlot has no log of."},
        footer = {"", "Examples:", "  sandlot logs web", "  sandlot logs --follow web"})
final class LogsCommand implements Callable<Integer> {
    @Mixin
    CommonOptions options;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until interrupted.")
    boolean follow;

    @Parameters(paramLabel = "NAME", description = "The sandbox (metadata.name).")
    String name;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where the log's bytes go (as they are: a log need not be text); tests replace it. */
    PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (!name.matches("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?")) {
            spec.commandLine().getErr().println("sandlot logs: not a sandbox name");
            return 1;
        }
        Settings settings = options.resolve();
        Path file = settings.stateDir().resolve("logs").resolve(name + ".log");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            InputStream in = Channels.newInputStream(channel);
            copy(in, out);
            while (follow) {
                Thread.sleep(200);
                if (channel.size() < channel.position()) {
                    channel.position(0); // rotated: start over on the new file content
                }
                copy(in, out);
            }
            return 0;
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("sandlot logs: no logs for " + name + " in " + file.getParent());
            return 1;
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        in.transferTo(out);
        out.flush();
    }
}
