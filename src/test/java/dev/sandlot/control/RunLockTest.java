package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock as other processes see it: a second sandlot is played by a tiny python3 process that
 * takes (or tries) the same POSIX record lock sandlot's {@code FileChannel.tryLock} takes.
 */
@Timeout(20)
class RunLockTest {
    private static final long PID = ProcessHandle.current().pid();
    /** argv: lock file, mode (hold | try), text to write ("{pid}" becomes its pid). */
    private static final String OTHER_SANDLOT = String.join("\n",
            "import fcntl, os, sys",
            "f = open(sys.argv[1], 'a+')",
            "try:",
            "    fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)",
            "except OSError:",
            "    print('busy', flush=True)",
            "    sys.exit(0)",
            "if sys.argv[2] == 'try':",
            "    print('got it', flush=True)",
            "    sys.exit(0)",
            "f.truncate(0)",
            "f.write(sys.argv[3].replace('{pid}', str(os.getpid())))",
            "f.flush()",
            "print('holding', flush=True)",
            "sys.stdin.read()");

    @TempDir
    Path runDir;

    /** Another process holding (or trying) the lock; holds it until closed. */
    static final class OtherSandlot implements AutoCloseable {
        final Process process;
        final String said;

        OtherSandlot(Path lockFile, String mode, String text) throws IOException {
            boolean python = Stream.of(System.getenv("PATH").split(":"))
                    .anyMatch(d -> Files.isExecutable(Path.of(d, "python3")));
            assumeTrue(python, "needs python3 to play another process");
            process = new ProcessBuilder("python3", "-c", OTHER_SANDLOT, lockFile.toString(), mode, text)
                    .redirectErrorStream(true).start();
            said = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
        }

        static OtherSandlot holding(Path lockFile, String text) throws IOException {
            OtherSandlot other = new OtherSandlot(lockFile, "hold", text);
            assertThat(other.said).isEqualTo("holding");
            return other;
        }

        /** Whether another process could take the lock now. */
        static boolean couldTake(Path lockFile) throws IOException, InterruptedException {
            try (OtherSandlot other = new OtherSandlot(lockFile, "try", "")) {
                assertThat(other.said).isIn("busy", "got it");
                return other.said.equals("got it");
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            process.getOutputStream().close();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void acquireMakesTheRunDirWritesOurPidAndKeepsOthersOut() throws Exception {
        Path dir = runDir.resolve("run/sandlot");
        try (RunLock lock = RunLock.acquire(dir)) {
            assertThat(OtherSandlot.couldTake(dir.resolve("lock"))).isFalse();
        }
        assertThat(dir.resolve("lock")).hasContent(PID + "\n");
        assertThat(OtherSandlot.couldTake(dir.resolve("lock"))).isTrue();
    }

    @Test
    void acquireWhileAnotherProcessHoldsItFailsNamingThatPid() throws Exception {
        try (OtherSandlot other = OtherSandlot.holding(runDir.resolve("lock"), "{pid}\n")) {
            assertThatThrownBy(() -> RunLock.acquire(runDir))
                    .isInstanceOf(RunLock.HeldException.class)
                    .hasMessageContaining("(pid " + other.process.pid() + ")")
                    .hasMessageContaining(runDir.resolve("lock").toString())
                    .hasMessageContaining("only one apply, down or run");
        }
    }

    @Test
    void aHolderPidThatIsNotANumberIsLeftOutOfTheMessage() throws Exception {
        try (OtherSandlot other = OtherSandlot.holding(runDir.resolve("lock"), "\u001b[31mnot a pid\n")) {
            assertThatThrownBy(() -> RunLock.acquire(runDir))
                    .isInstanceOf(RunLock.HeldException.class)
                    .hasMessageNotContaining("pid")
                    .hasMessageNotContaining("\u001b");
        }
    }

    @Test
    void isHeldWhileAnotherProcessHoldsItAndNotOnceItIsGone() throws Exception {
        try (OtherSandlot other = OtherSandlot.holding(runDir.resolve("lock"), "{pid}\n")) {
            assertThat(RunLock.isHeld(runDir)).isTrue();
        }

        assertThat(RunLock.isHeld(runDir)).as("the kernel dropped the lock with its process").isFalse();
        try (RunLock lock = RunLock.acquire(runDir)) {
            assertThat(RunLock.isHeld(runDir)).isTrue();
        }
    }

    @Test
    void aSecondAcquireInTheSameProcessFailsNamingThisProcess() throws IOException {
        try (RunLock lock = RunLock.acquire(runDir)) {
            assertThatThrownBy(() -> RunLock.acquire(runDir))
                    .isInstanceOf(RunLock.HeldException.class)
                    .hasMessageContaining("pid " + PID)
                    .hasMessageContaining(runDir.resolve("lock").toString());
        }
    }

    @Test
    void aRefusedSecondAcquireInTheSameProcessKeepsTheFirstLockHeld() throws Exception {
        try (RunLock lock = RunLock.acquire(runDir)) {
            assertThatThrownBy(() -> RunLock.acquire(runDir)).isInstanceOf(RunLock.HeldException.class);
            assertThatThrownBy(() -> RunLock.acquire(runDir.resolve("."))).as("the same file by another path")
                    .isInstanceOf(RunLock.HeldException.class);
            assertThat(RunLock.isHeld(runDir)).isTrue();

            assertThat(OtherSandlot.couldTake(runDir.resolve("lock")))
                    .as("the first holder's lock as other processes see it").isFalse();
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

        RunLock.acquire(runDir).close();

        assertThat(runDir.resolve("lock")).hasContent(PID + "\n");
    }

    @Test
    void isHeldIsFalseWithoutALockFile() {
        assertThat(RunLock.isHeld(runDir.resolve("missing"))).isFalse();
    }
}
