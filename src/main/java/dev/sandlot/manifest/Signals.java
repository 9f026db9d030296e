package dev.sandlot.manifest;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signals a manifest may name as {@code spec.stopSignal}, without "SIG", with their numbers on
 * Linux x86-64 and arm64 (the architectures gVisor runs on). Every standard signal except STOP,
 * which cannot be handled and so could never ask a process to stop cleanly.
 */
public final class Signals {
    public static final Map<String, Integer> STOP_SIGNALS;

    static {
        Map<String, Integer> m = new LinkedHashMap<>();
        String[] names = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
            "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", null, "TSTP", "TTIN", "TTOU", "URG",
            "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};
        for (int i = 0; i < names.length; i++) {
            if (names[i] != null) {
                m.put(names[i], i + 1);
            }
        }
        STOP_SIGNALS = Collections.unmodifiableMap(m);
    }

    private Signals() {
    }

    /** The signal's number, such as 15 for "TERM"; throws for a name not in {@link #STOP_SIGNALS}. */
    public static int number(String name) {
        Integer n = STOP_SIGNALS.get(name);
        if (n == null) {
            throw new IllegalArgumentException("not a stop signal name");
        }
        return n;
    }
}
