package dev.sandlot.cli;

import dev.sandlot.config.ConfigFile;
import dev.sandlot.control.Daemon;
import dev.sandlot.control.Logging;
import dev.sandlot.control.Notifier;
import dev.sandlot.control.RunLock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"The daemon: watch the manifests folder and keep the host converged until SIGTERM.",
            "Adopts running sandboxes at start; on SIGTERM finishes the passes in flight and exits,",
            "leaving every sandbox running. SIGHUP re-reads the manifests at once.",
            "Serves /healthz and Prometheus /metrics on the metrics address (default 127.0.0.1:9464)."},
        footer = {"", "Example:", "  sandlot run --manifests /etc/sandlot/manifests --runsc-flag=--network=host"})
final class RunCommand implements Callable<Integer> {
    @Mixin
    CommonOptions options;

    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "text (default; no timestamps under journald) or json; config key logFormat.")
    String logFormat;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            // The option wins over the config file's logFormat; set before anything logs.
            Logging.configureDaemon(logFormat != null ? ConfigFile.logFormat(logFormat, "--log-format")
                    : options.resolve().logFormat());
            Context context = Context.open(options);
            try (RunLock lock = RunLock.acquire(context.settings.runDir())) {
                Daemon daemon = new Daemon(context.settings, context.host, notifier());
                // SIGTERM: finish the passes in flight, then exit 0 (a JVM ended by a signal would
                // exit 143, which systemd counts as a failure).
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    daemon.stop();
                    System.out.flush();
                    System.err.flush();
                    Runtime.getRuntime().halt(0);
                }, "shutdown"));
                Signals.onHangup(daemon::relistNow);
                daemon.run(Context.standalone);
                return 0;
            }
        } catch (Exception e) {
            spec.commandLine().getErr().println("sandlot run: " + Errors.describe(e));
            return 1;
        }
    }

    private static Notifier notifier() {
        return dev.sandlot.control.SystemdNotifier.fromEnvironment();
    }
}
