package dev.sandlot.control;

import java.time.Duration;

/**
 * Tells the service manager how the daemon is doing (systemd's sd_notify protocol). Every method
 * is a no-op when the daemon does not run under a service manager.
 */
public interface Notifier {
    /** READY=1: the first observation is done and the loop runs (not: every sandbox started). */
    void ready();

    /** WATCHDOG=1: the loop is alive; sent well within WatchdogSec. */
    void watchdog();

    /** STATUS=...: one line for `systemctl status`. */
    void status(String line);

    /** EXTEND_TIMEOUT_USEC=...: start-up (or shutdown) work takes longer than expected. */
    void extendTimeout(Duration more);

    /** STOPPING=1. */
    void stopping();

    /** The watchdog interval systemd asked for (WATCHDOG_USEC), or null when there is none. */
    Duration watchdogInterval();

    Notifier NONE = new Notifier() {
        @Override
        public void ready() {
        }

        @Override
        public void watchdog() {
        }

        @Override
        public void status(String line) {
        }

        @Override
        public void extendTimeout(Duration more) {
        }

        @Override
        public void stopping() {
        }

        @Override
        public Duration watchdogInterval() {
            return null;
        }
    };
}
