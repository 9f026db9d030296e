package dev.sandlot.cli;

import dev.sandlot.host.ProcessRunner;
import java.util.function.Supplier;

/** The one hook tests have into in-process commands: the process seam they use. */
public final class TestHooks {
    private TestHooks() {
    }

    public static void setRunnerFactory(Supplier<ProcessRunner> factory) {
        Context.runnerFactory = factory;
    }
}
