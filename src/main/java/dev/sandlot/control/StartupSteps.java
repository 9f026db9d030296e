package dev.sandlot.control;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's start-up before READY=1, told to systemd one step at a time. Each step first sends
 * EXTEND_TIMEOUT_USEC with that step's own bound, so a long but moving start-up (many stragglers,
 * a slow first git fetch, a host with hundreds of sandboxes to observe) outlives TimeoutStartSec,
 * while a step that hangs still fails the start once its bound passes. An extension never
 * shortens TimeoutStartSec (systemd only applies it past the original timeout). STATUS= names the
 * step, so `systemctl status` shows where a slow start is.
 */
final class StartupSteps {
    private static final Logger LOG = LoggerFactory.getLogger(StartupSteps.class);

    /** Stragglers: one /proc scan and a SIGKILL each, then a short wait for them to go. */
    static final Duration KILL_STRAGGLERS = Duration.ofSeconds(30);
    /** Reading the records, and the first read of the manifests: a git fetch has 60 s per network step. */
    static final Duration READ_MANIFESTS = Duration.ofMinutes(3);
    /** The first observation: runsc list and state (30 s each), the netns and interfaces. */
    static final Duration OBSERVE = Duration.ofMinutes(2);
    /** Starting the folder watcher, the HTTP endpoint and the timers. */
    static final Duration START_LOOP = Duration.ofSeconds(30);

    private final Notifier notifier;

    StartupSteps(Notifier notifier) {
        this.notifier = notifier;
    }

    /** Announces the next step and the longest it may take. */
    void next(String step, Duration bound) {
        LOG.debug("start-up: {} (allowing {} s)", step, bound.toSeconds());
        notifier.extendTimeout(bound);
        notifier.status("starting: " + step);
    }
}
