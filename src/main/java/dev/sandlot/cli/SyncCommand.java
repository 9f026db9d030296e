package dev.sandlot.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.sandlot.control.RunLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Ask the running daemon to fetch the git repository (or re-read the manifests folder) now.",
            "Sends SIGHUP to the daemon whose pid is in <run-dir>/lock (systemctl reload sandlot, or",
            "kill -HUP, does the same). Exit status: 0 signalled, 1 no daemon runs."},
        footer = {"", "Example:", "  sandlot sync"})
final class SyncCommand implements Callable<Integer> {
    private static final int SIGHUP = 1;

    @Mixin
    CommonOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    interface CLib extends Library {
        int kill(int pid, int signal);
    }

    @Override
    public Integer call() {
        try {
            Path runDir = options.resolve().runDir();
            if (!RunLock.isHeld(runDir)) {
                spec.commandLine().getErr().println("sandlot sync: no daemon runs with run dir " + runDir
                        + " (sandlot apply converges once)");
                return 1;
            }
            String text = Files.readString(runDir.resolve("lock"), StandardCharsets.UTF_8).trim();
            if (!text.matches("\\d{1,10}")) {
                spec.commandLine().getErr().println("sandlot sync: " + runDir.resolve("lock") + " names no pid");
                return 1;
            }
            int pid = Integer.parseInt(text);
            if (!isSandlot(pid)) {
                spec.commandLine().getErr().println("sandlot sync: pid " + pid + " in " + runDir.resolve("lock")
                        + " is not a sandlot daemon; not signalled");
                return 1;
            }
            if (Native.load("c", CLib.class).kill(pid, SIGHUP) != 0) {
                spec.commandLine().getErr().println("sandlot sync: cannot signal pid " + pid + " (errno "
                        + Native.getLastError() + ")");
                return 1;
            }
            spec.commandLine().getOut().println("asked the daemon (pid " + pid + ") to fetch now");
            return 0;
        } catch (Exception e) {
            spec.commandLine().getErr().println("sandlot sync: " + Errors.describe(e));
            return 1;
        }
    }

    /** A lock file can outlive its daemon and its pid be reused: signal only a JVM running sandlot. */
    private static boolean isSandlot(int pid) {
        try {
            byte[] cmdline = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline"));
            String args = new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ');
            return args.contains("sandlot") && args.contains(" run");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
