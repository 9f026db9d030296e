package dev.sandlot.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class FolderWatcherTest {
    @TempDir
    Path folder;

    @Test
    void aBurstOfEventsCostsOneRelist() throws Exception {
        AtomicInteger relists = new AtomicInteger();
        CountDownLatch relisted = new CountDownLatch(1);
        try (FolderWatcher w = new FolderWatcher(folder, Duration.ofMillis(200), () -> {
            relists.incrementAndGet();
            relisted.countDown();
        })) {
            for (int i = 0; i < 50; i++) {
                w.schedule();
            }

            assertThat(relisted.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(relists).hasValue(1);
        }
    }

    @Test
    void anEndlessStormStillGetsARelistWithinTenQuietPeriods() throws Exception {
        CountDownLatch relisted = new CountDownLatch(1);
        try (FolderWatcher w = new FolderWatcher(folder, Duration.ofMillis(5), relisted::countDown)) {
            long start = System.nanoTime();
            while (relisted.getCount() > 0 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                w.schedule(); // an event every millisecond: never 5 ms of quiet
                Thread.sleep(1);
            }

            assertThat(relisted.getCount()).isZero();
        }
    }

    @Test
    void aRelistThatThrowsDoesNotStopLaterOnes() throws Exception {
        AtomicInteger relists = new AtomicInteger();
        try (FolderWatcher w = new FolderWatcher(folder, Duration.ofMillis(1), () -> {
            if (relists.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
        })) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (relists.get() < 2 && System.nanoTime() < deadline) {
                w.schedule();
                Thread.sleep(2);
            }

            assertThat(relists.get()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void anEventDuringALongRelistGetsARelistOfItsOwn() throws Exception {
        AtomicInteger relists = new AtomicInteger();
        CountDownLatch firstRunning = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch second = new CountDownLatch(1);
        try (FolderWatcher w = new FolderWatcher(folder, Duration.ofMillis(5), () -> {
            if (relists.incrementAndGet() == 1) {
                firstRunning.countDown();
                try {
                    releaseFirst.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                second.countDown();
            }
        })) {
            w.schedule();
            assertThat(firstRunning.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(new CountDownLatch(1).await(80, TimeUnit.MILLISECONDS)).isFalse(); // > 10 debounce periods

            w.schedule(); // the file changed again while the relist runs
            releaseFirst.countDown();

            assertThat(second.await(2, TimeUnit.SECONDS)).isTrue();
        } finally {
            releaseFirst.countDown();
        }
    }

    @Test
    void aFileWrittenIntoTheFolderTriggersARelist() throws Exception {
        CountDownLatch relisted = new CountDownLatch(1);
        try (FolderWatcher w = new FolderWatcher(folder, Duration.ofMillis(1), relisted::countDown)) {
            w.start();

            Files.writeString(folder.resolve("web.yaml"), "x");

            assertThat(relisted.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aFolderThatCameBackIsWatchedAgainAfterEnsureWatching() throws Exception {
        Path watched = Files.createDirectories(folder.resolve("manifests"));
        AtomicInteger relists = new AtomicInteger();
        try (FolderWatcher w = new FolderWatcher(watched, Duration.ofMillis(1), relists::incrementAndGet)) {
            w.start();
            Files.delete(watched);
            awaitAtLeast(relists, 1);
            Files.createDirectories(watched);
            w.ensureWatching();
            int before = relists.get();

            Files.writeString(watched.resolve("web.yaml"), "x");

            awaitAtLeast(relists, before + 1);
        }
    }

    @Test
    void aMissingFolderIsNotAnErrorUntilItAppears() throws Exception {
        AtomicInteger relists = new AtomicInteger();
        Path later = folder.resolve("later");
        try (FolderWatcher w = new FolderWatcher(later, Duration.ofMillis(1), relists::incrementAndGet)) {
            w.start();
            Files.createDirectories(later);
            w.ensureWatching();

            Files.writeString(later.resolve("web.yaml"), "x");

            awaitAtLeast(relists, 1);
        }
    }

    private static void awaitAtLeast(AtomicInteger counter, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (counter.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected at least " + n + " relists, got " + counter.get());
            }
            Thread.sleep(1);
        }
    }
}
