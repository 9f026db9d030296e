package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunLockTest {
    private static final long PID = ProcessHandle.current().pid();

    @TempDir
    Path runDir;

    /** Whether the kernel lists a POSIX lock of this process on the file (the lock other processes see). */
    private static boolean kernelLockHeld(Path file) throws IOException {
        Path locks = Path.of("/proc/locks");
        assumeTrue(Files.isReadable(locks), "needs /proc/locks");
        long inode = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
        return Files.readAllLines(locks).stream()
                .anyMatch(l -> l.contains(" POSIX ") && l.contains(" " + PID + " ") && l.contains(":" + inode + " "));
    }

    @Test
    void acquireMakesTheRunDirAndWritesOurPid() throws IOException {
        Path dir = runDir.resolve("run/sandlot");
        try (RunLock lock = RunLock.acquire(dir)) {
            // First: any descriptor of the file this process closes (reading it) drops the POSIX lock.
            assertThat(kernelLockHeld(dir.resolve("lock"))).isTrue();
        }
        assertThat(dir.resolve("lock")).hasContent(PID + "\n");
    }

    @Test
    void aSecondAcquireFailsNamingTheHolderPid() throws IOException {
        try (RunLock lock = RunLock.acquire(runDir)) {
            assertThatThrownBy(() -> RunLock.acquire(runDir))
                    .isInstanceOf(RunLock.HeldException.class)
                    .hasMessageContaining("(pid " + PID + ")")
                    .hasMessageContaining(runDir.resolve("lock").toString())
                    .hasMessageContaining("only one apply, down or run");
        }
    }

    @Test
    void aHolderPidThatIsNotANumberIsLeftOutOfTheMessage() throws IOException {
        try (RunLock lock = RunLock.acquire(runDir)) {
            Files.writeString(runDir.resolve("lock"), "\u001b[31mnot a pid\n");

            assertThatThrownBy(() -> RunLock.acquire(runDir))
                    .isInstanceOf(RunLock.HeldException.class)
                    .hasMessageNotContaining("pid")
                    .hasMessageNotContaining("\u001b");
        }
    }

    @Test
    void closingReleasesTheLockAndALeftoverFileIsNoLock() throws IOException {
        RunLock.acquire(runDir).close();

        assertThat(runDir.resolve("lock")).exists();
        assertThat(RunLock.isHeld(runDir)).isFalse();
        try (RunLock again = RunLock.acquire(runDir)) {
            assertThat(RunLock.isHeld(runDir)).isTrue();
        }
    }

    @Test
    void aLongerPidLeftByAnEarlierHolderIsOverwrittenWhole() throws IOException {
        Files.writeString(runDir.resolve("lock"), "99999999999999\n");

        try (RunLock lock = RunLock.acquire(runDir)) {
            assertThat(runDir.resolve("lock")).hasContent(PID + "\n");
        }
    }

    @Test
    void isHeldIsFalseWithoutALockFile() {
        assertThat(RunLock.isHeld(runDir.resolve("missing"))).isFalse();
    }

    @Test
    void aRefusedSecondAcquireInTheSameProcessKeepsTheFirstLockHeld() throws IOException {
        try (RunLock lock = RunLock.acquire(runDir)) {
            assertThatThrownBy(() -> RunLock.acquire(runDir)).isInstanceOf(RunLock.HeldException.class);
            assertThat(RunLock.isHeld(runDir)).isTrue();

            assertThat(kernelLockHeld(runDir.resolve("lock")))
                    .as("the first holder's lock as other processes see it").isTrue();
        }
    }
}
