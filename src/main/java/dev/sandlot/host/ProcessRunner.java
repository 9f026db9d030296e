package dev.sandlot.host;

import java.io.IOException;

/**
 * The one seam between sandlot and every external program (runsc, CNI plugins, ip, iptables).
 * Production code wires {@link SystemProcessRunner}; unit tests wire a recording fake, so that
 * what would have run (argv, environment, stdin) can be asserted without touching the host.
 *
 * <p>Contract: the program runs from an argv list with exactly the given environment (never the
 * caller's, never through a shell); it is killed with its whole process tree once the timeout
 * passes; captured output is bounded. A non-zero exit is not an exception: callers decide.
 */
public interface ProcessRunner {

    /**
     * Runs the request to completion.
     *
     * @throws ProcessTimeoutException when it ran past its timeout (it has been killed)
     * @throws IOException when it could not be started (missing binary, permissions)
     */
    ExecResult run(ExecRequest request) throws IOException;

    /**
     * Runs the request attached to this process's own stdin, stdout and stderr (a terminal, for
     * {@code sandlot exec}), with its environment cleared like {@link #run}, until it exits.
     * Nothing is captured and there is no timeout: the user is at the other end.
     *
     * @return its exit code
     */
    default int runAttached(ExecRequest request) throws IOException, InterruptedException {
        throw new UnsupportedOperationException("this process runner cannot run attached programs");
    }
}
