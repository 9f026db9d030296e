package dev.sandlot.cli;

import dev.sandlot.apply.HostClients;
import dev.sandlot.config.ConfigException;
import dev.sandlot.config.Settings;
import dev.sandlot.host.ProcessRunner;
import dev.sandlot.host.SpawnedPids;
import dev.sandlot.host.Subreaper;
import dev.sandlot.host.SystemProcessRunner;
import java.time.Clock;

/**
 * What a command works with: the resolved settings and the host clients over the one process
 * seam. Tests swap the seam through {@link #runnerFactory}.
 */
final class Context {
    /** The process seam commands use; integration tests may wrap it to count calls. */
    static volatile java.util.function.Supplier<ProcessRunner> runnerFactory = SystemProcessRunner::new;

    /**
     * True in a real {@code sandlot} process (not in tests that run commands inside their JVM):
     * only then may a command make the process a child subreaper, which reaps every orphan.
     */
    static volatile boolean standalone;

    final Settings settings;
    final HostClients host;

    private Context(Settings settings, HostClients host) {
        this.settings = settings;
        this.host = host;
    }

    /** Commands that start or stop sandboxes reap them promptly (see {@link Subreaper}). */
    static void becomeSubreaper() {
        if (standalone) {
            Subreaper.start(SpawnedPids.global());
        }
    }

    static Context open(CommonOptions options) throws ConfigException {
        Settings settings = options.resolve();
        return new Context(settings, HostClients.create(settings, runnerFactory.get(), Clock.systemUTC()));
    }
}
