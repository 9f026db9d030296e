package dev.sandlot.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real daemon, `bin/sandlot run`, as a child process of the test, with its output in a file. */
final class DaemonProcess implements AutoCloseable {
    final Process process;
    final Path log;

    DaemonProcess(TestHost host, String... extra) throws IOException {
        this(host, List.of(), extra);
    }

    /** Started through {@code launcher} (for example {@code nohup}), which must exec it. */
    DaemonProcess(TestHost host, List<String> launcher, String... extra) throws IOException {
        log = Files.createTempFile(host.root, "daemon-", ".log");
        List<String> argv = new ArrayList<>(launcher);
        argv.addAll(List.of("bin/sandlot", "run"));
        argv.addAll(host.options());
        argv.addAll(List.of(extra));
        process = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    /** Waits (bounded) until the log shows {@code text}; fails with the log otherwise. */
    void awaitLog(String text, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < deadline) {
            if (output().contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited (" + process.exitValue() + ") before logging '" + text
                        + "':\n" + output());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("daemon did not log '" + text + "' within " + millis + " ms:\n" + output());
    }

    void signal(String signal) throws Exception {
        TestHost.sh("kill", "-" + signal, Long.toString(process.pid()));
    }

    boolean awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
