package dev.sandlot.source;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * inotify on the manifests folder, for latency only: any event (or an overflow) schedules one
 * relist after a short quiet period, so a burst of writes costs one relist. Correctness comes from
 * the periodic full relist, which also re-arms the watch if the folder came back.
 */
public final class FolderWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FolderWatcher.class);

    private final Path folder;
    private final Duration debounce;
    private final Runnable relist;
    private final WatchService watcher;
    private final ScheduledExecutorService timer;
    private final Thread thread;
    private WatchKey key;
    private ScheduledFuture<?> pending;
    private long firstPendingNanos;
    private volatile boolean pendingStarted;

    public FolderWatcher(Path folder, Duration debounce, Runnable relist) throws IOException {
        this.folder = folder;
        this.debounce = debounce;
        this.relist = relist;
        this.watcher = FileSystems.getDefault().newWatchService();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relist");
            t.setDaemon(true);
            return t;
        });
        this.thread = new Thread(this::loop, "inotify");
        this.thread.setDaemon(true);
    }

    public void start() {
        ensureWatching();
        thread.start();
    }

    /** (Re-)registers the folder if it exists and is not watched; called at every relist. */
    public synchronized void ensureWatching() {
        if (key != null && key.isValid()) {
            return;
        }
        try {
            key = folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.OVERFLOW);
        } catch (IOException e) {
            key = null; // missing or unreadable now; the periodic relist retries
        } catch (ClosedWatchServiceException e) {
            key = null;
        }
    }

    private void loop() {
        while (true) {
            WatchKey k;
            try {
                k = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            k.pollEvents();
            if (!k.reset()) {
                LOG.warn("manifests folder {} is no longer watched (removed or unmounted); relisting", folder);
            }
            schedule();
        }
    }

    /**
     * Runs the relist once the folder has been quiet for the debounce period, but never later
     * than ten debounce periods after the first event: an event storm cannot starve it.
     */
    public synchronized void schedule() {
        long now = System.nanoTime();
        if (pending != null && !pending.isDone() && !pendingStarted) {
            if (now - firstPendingNanos > debounce.toNanos() * 10) {
                return; // due soon, and it has not read the folder yet: it will see this event
            }
            pending.cancel(false);
        } else {
            firstPendingNanos = now; // none pending, or one already reading: this event needs its own
        }
        pendingStarted = false;
        pending = timer.schedule(() -> {
            pendingStarted = true;
            try {
                relist.run();
            } catch (RuntimeException e) {
                LOG.error("relist failed", e);
            }
        }, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws IOException {
        thread.interrupt();
        watcher.close();
        timer.shutdownNow();
    }
}
