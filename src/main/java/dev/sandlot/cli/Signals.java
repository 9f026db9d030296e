package dev.sandlot.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** SIGHUP handling, as daemons do it: "re-read your input now". */
final class Signals {
    private static final int SIGHUP = 1;

    interface CLib extends Library {
        Pointer signal(int signal, Pointer handler);
    }

    private Signals() {
    }

    /**
     * Runs {@code action} on every SIGHUP. A process started with SIGHUP ignored (under
     * {@code nohup}, or by a supervisor that ignores it) keeps it ignored in the JVM, which would
     * make {@code sandlot sync} and {@code systemctl reload} do nothing without a word; for the
     * daemon SIGHUP only ever means "re-read", never "exit", so it takes the signal back.
     */
    static void onHangup(Runnable action) {
        Signal hup = new Signal("HUP");
        SignalHandler handler = signal -> action.run();
        try {
            if (Signal.handle(hup, handler) == SignalHandler.SIG_IGN) {
                Native.load("c", CLib.class).signal(SIGHUP, Pointer.NULL); // SIG_DFL, so the JVM may catch it
                Signal.handle(hup, handler);
            }
        } catch (IllegalArgumentException | UnsatisfiedLinkError e) {
            // No SIGHUP on this platform (or the JVM reserved it): SIGHUP simply does nothing.
        }
    }
}
