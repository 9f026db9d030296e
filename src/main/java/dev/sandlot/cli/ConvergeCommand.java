package dev.sandlot.cli;

import dev.sandlot.config.ConfigException;
import dev.sandlot.control.LogRotation;
import dev.sandlot.host.HostException;
import dev.sandlot.observe.Observation;
import dev.sandlot.source.DesiredState;
import dev.sandlot.source.Sources;
import dev.sandlot.source.SourceUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** What {@code plan} and {@code apply} share: open the context, observe, read the folder. */
abstract class ConvergeCommand {
    @CommandLine.Mixin
    CommonOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** The desired state and the host, read once. */
    record Snapshot(Context context, DesiredState desired, Observation observed) {
    }

    /** @param changesHost false for commands that must not write anything (plan) */
    Snapshot snapshot(boolean changesHost) throws ConfigException, IOException, HostException,
            SourceUnavailableException {
        Context context = Context.open(options);
        if (changesHost) {
            context.host.state().init();
        }
        Observation observed = context.host.observer().observe();
        DesiredState desired = Sources.readOnce(Sources.open(context.settings, changesHost),
                context.host.state().loadAll());
        return new Snapshot(context, desired, observed);
    }

    /**
     * Caps the sandbox logs like the daemon does: without a daemon, nothing else would, and a
     * sandbox started by apply writes its log for as long as it runs.
     */
    static void rotateSandboxLogs(Context context) {
        LogRotation.sandboxLogs(context.settings.stateDir()).rotate();
    }

    void printFileErrors(DesiredState desired) {
        for (Map.Entry<String, List<String>> file : desired.fileErrors().entrySet()) {
            file.getValue().forEach(e -> err().println(e));
        }
    }
}
