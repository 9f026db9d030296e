package dev.sandlot.cli;

/** SIGHUP handling, as daemons do it: "re-read your input now". */
final class Signals {
    private Signals() {
    }

    static void onHangup(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
        } catch (IllegalArgumentException e) {
            // No SIGHUP on this platform (or the JVM reserved it): SIGHUP simply does nothing.
        }
    }
}
