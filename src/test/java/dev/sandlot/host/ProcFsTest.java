package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcFsTest {
    @TempDir
    Path proc;

    static void writeStat(Path proc, int pid, String comm, char state) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (" + comm + ") " + state
                + " 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0 987654 123456 789 18446744073709551615\n");
    }

    @Test
    void parsesStateParentAndStartTimeEvenWithParenthesesInTheName() throws IOException {
        writeStat(proc, 4242, "runsc-sandbox) (x", 'S');

        ProcStat s = new ProcFs(proc).stat(4242).orElseThrow();

        assertThat(s.pid()).isEqualTo(4242);
        assertThat(s.comm()).isEqualTo("runsc-sandbox) (x");
        assertThat(s.state()).isEqualTo('S');
        assertThat(s.ppid()).isEqualTo(1);
        assertThat(s.startTime()).isEqualTo(987654L);
        assertThat(new ProcFs(proc).isRunning(4242)).isTrue();
    }

    @Test
    void aZombieIsNotRunning() throws IOException {
        writeStat(proc, 7, "runsc-sandbox", 'Z');

        assertThat(new ProcFs(proc).stat(7)).isPresent();
        assertThat(new ProcFs(proc).isRunning(7)).isFalse();
    }

    @Test
    void aMissingOrGarbledProcessIsAbsent() throws IOException {
        Files.createDirectories(proc.resolve("9"));
        Files.writeString(proc.resolve("9/stat"), "garbage");

        assertThat(new ProcFs(proc).stat(8)).isEmpty();
        assertThat(new ProcFs(proc).stat(9)).isEmpty();
        assertThat(new ProcFs(proc).stat(-1)).isEmpty();
        assertThat(new ProcFs(proc).isRunning(8)).isFalse();
    }

    @Test
    void aLineLongerThanUsualIsReadWholeAndAShortOneIsAbsent() throws IOException {
        writeStat(proc, 11, "x".repeat(700), 'R');
        Files.createDirectories(proc.resolve("12"));
        Files.writeString(proc.resolve("12/stat"), "12 (sh) S 1 12 12 0 -1 4194560 100 0 0 0 5 3 0 0 20 0\n");

        assertThat(new ProcFs(proc).stat(11)).hasValueSatisfying(s -> {
            assertThat(s.comm()).hasSize(700);
            assertThat(s.startTime()).isEqualTo(987654L);
        });
        assertThat(new ProcFs(proc).stat(12)).isEmpty();
    }

    @Test
    void readsTheRealProcForThisJvm() {
        int self = (int) ProcessHandle.current().pid();

        ProcStat s = new ProcFs().stat(self).orElseThrow();

        assertThat(s.pid()).isEqualTo(self);
        assertThat(s.ppid()).isEqualTo((int) ProcessHandle.current().parent().orElseThrow().pid());
        assertThat(new ProcFs().isRunning(self)).isTrue();
    }
}
