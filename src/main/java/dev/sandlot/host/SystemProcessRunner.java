package dev.sandlot.host;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real {@link ProcessRunner}: the only place in sandlot that starts a process.
 *
 * <p>Stdin is written by its own thread and then closed, so a program that never reads it cannot
 * block us; stdout and stderr are drained concurrently into buffers of at most
 * {@code maxOutputBytes} each (the rest is read and dropped), so neither a flood nor a full pipe
 * can deadlock. Without stdin, the program reads /dev/null: a detached sandbox must not inherit a
 * pipe to sandlot.
 */
public final class SystemProcessRunner implements ProcessRunner {
    private static final File DEV_NULL = new File("/dev/null");
    /** How long a killed process and its pipes get to go away before we stop waiting for them. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(5);
    private static final int CHUNK = 8192;
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService IO = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "sandlot-exec-io-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private final SpawnedPids spawned;

    public SystemProcessRunner() {
        this(SpawnedPids.global());
    }

    public SystemProcessRunner(SpawnedPids spawned) {
        this.spawned = spawned;
    }

    @Override
    public ExecResult run(ExecRequest request) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(request.argv());
        builder.environment().clear();
        builder.environment().putAll(request.env());
        builder.redirectInput(request.stdin() == null ? Redirect.from(DEV_NULL) : Redirect.PIPE);
        if (request.outputFile() != null) {
            builder.redirectErrorStream(true);
            builder.redirectOutput(Redirect.appendTo(request.outputFile().toFile()));
        }
        Process process = start(builder, request);
        long deadline = System.nanoTime() + request.timeout().toNanos();
        List<Future<?>> io = new ArrayList<>();
        try {
            if (request.stdin() != null) {
                byte[] input = request.stdin();
                io.add(IO.submit(() -> writeStdin(process.getOutputStream(), input)));
            }
            Future<Captured> out = null;
            Future<Captured> err = null;
            if (request.outputFile() == null) {
                int max = request.maxOutputBytes();
                out = IO.submit(() -> drain(process.getInputStream(), max));
                err = IO.submit(() -> drain(process.getErrorStream(), max));
                io.add(out);
                io.add(err);
            }
            if (!process.waitFor(remaining(deadline), TimeUnit.NANOSECONDS)) {
                int killed = killTree(process);
                throw new ProcessTimeoutException(request.program() + " did not finish within "
                        + human(request.timeout()) + " and was killed"
                        + (killed > 0 ? " together with " + killed + " process(es) it started" : "")
                        + " (argv: " + Text.clean(String.join(" ", request.argv()), 200) + ")");
            }
            if (out == null) {
                return new ExecResult(process.exitValue(), new byte[0], new byte[0], false);
            }
            Captured o = await(out, deadline, request);
            Captured e = await(err, deadline, request);
            return new ExecResult(process.exitValue(), o.bytes(), e.bytes(), o.truncated() || e.truncated());
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while running " + request.program() + "; it was killed");
        } finally {
            for (Future<?> f : io) {
                f.cancel(true);
            }
            closeQuietly(process);
        }
    }

    @Override
    public int runAttached(ExecRequest request) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(request.argv()).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(request.env());
        Process process = start(builder, request);
        try {
            return process.waitFor();
        } finally {
            if (process.isAlive()) {
                killTree(process);
            }
        }
    }

    private Process start(ProcessBuilder builder, ExecRequest request) throws IOException {
        try {
            return spawned.start(builder);
        } catch (IOException e) {
            throw new IOException("cannot start " + request.argv().get(0) + ": " + Text.clean(e.getMessage(), 300)
                    + "; check that it is installed and on sandlot's PATH, or configure its full path", e);
        }
    }

    /** The process exited, but its output may still be held open by something it left running. */
    private static Captured await(Future<Captured> f, long deadline, ExecRequest request) throws IOException,
            InterruptedException {
        try {
            return f.get(remaining(deadline), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new ProcessTimeoutException(request.program() + " exited, but a process it left behind kept its"
                    + " output open past the timeout of " + human(request.timeout())
                    + "; run it with an output file instead of capturing its output");
        } catch (ExecutionException e) {
            throw new IOException("reading the output of " + request.program() + " failed", e.getCause());
        }
    }

    /**
     * Kills the process and everything it started. Descendants are listed first (once the process
     * is dead its children are re-parented and no longer findable), then the process and the
     * listed descendants, and anything they had started meanwhile, are killed.
     */
    static int killTree(Process process) {
        Set<ProcessHandle> doomed = new LinkedHashSet<>();
        process.descendants().forEach(doomed::add);
        process.destroyForcibly();
        for (ProcessHandle d : List.copyOf(doomed)) {
            d.descendants().forEach(doomed::add);
        }
        doomed.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return doomed.size();
    }

    private static Void writeStdin(OutputStream stdin, byte[] input) {
        try (OutputStream s = stdin) {
            s.write(input);
        } catch (IOException e) {
            // The program exited or closed its stdin without reading it all: its exit code tells.
        }
        return null;
    }

    static Captured drain(InputStream in, int max) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream(Math.min(max, CHUNK));
        boolean truncated = false;
        byte[] chunk = new byte[CHUNK];
        try (InputStream s = in) {
            int n;
            while ((n = s.read(chunk)) != -1) {
                int keep = Math.min(n, max - kept.size());
                if (keep > 0) {
                    kept.write(chunk, 0, keep);
                }
                truncated |= keep < n;
            }
        } catch (IOException e) {
            // Closed under us after a timeout: keep what was read.
        }
        return new Captured(kept.toByteArray(), truncated);
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    static String human(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
    }

    record Captured(byte[] bytes, boolean truncated) {
    }
}
