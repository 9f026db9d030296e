package dev.sandlot.it;

import dev.sandlot.host.ProcessRunner;
import dev.sandlot.host.SystemProcessRunner;
import java.util.function.Supplier;

/** Lets an integration test observe the process seam of in-process commands. */
final class TestSeam {
    private TestSeam() {
    }

    static void install(Supplier<ProcessRunner> factory) {
        dev.sandlot.cli.TestHooks.setRunnerFactory(factory);
    }

    static void reset() {
        dev.sandlot.cli.TestHooks.setRunnerFactory(SystemProcessRunner::new);
    }
}
