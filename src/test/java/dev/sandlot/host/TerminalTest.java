package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libc calls on a real pseudo-terminal pair, no sandbox needed. */
class TerminalTest {

    @Test
    void tellsTerminalsFromFiles(@TempDir Path dir) throws Exception {
        try (Pty pty = new Pty(); FileInputStream file = new FileInputStream(Files.writeString(dir.resolve("f"), "x")
                .toFile())) {
            assertThat(Terminal.isTerminal(pty.slaveFd)).isTrue();
            assertThat(Terminal.isTerminal(pty.masterFd)).isTrue();
            assertThat(Terminal.isTerminal(Terminal.fdOf(file.getFD()))).isFalse();
            assertThat(Terminal.windowSize(Terminal.fdOf(file.getFD()))).isEmpty();
        }
    }

    @Test
    void aSizeSetOnTheMasterIsTheSlavesSize() throws Exception {
        try (Pty pty = new Pty()) {
            Terminal.setWindowSize(pty.masterFd, new WindowSize(40, 100));
            assertThat(Terminal.windowSize(pty.slaveFd)).contains(new WindowSize(40, 100));
            Terminal.setWindowSize(pty.masterFd, new WindowSize(25, 132, 1056, 400));
            assertThat(Terminal.windowSize(pty.slaveFd)).contains(new WindowSize(25, 132, 1056, 400));
        }
    }

    @Test
    void rawModeIsUndoneByRestore() throws Exception {
        try (Pty pty = new Pty()) {
            assertThat(Terminal.canonicalEof(pty.masterFd)).isEqualTo(OptionalInt.of(4)); // ^D, seen from the master
            Terminal.Mode saved = Terminal.makeRaw(pty.slaveFd);
            assertThat(Terminal.canonicalEof(pty.slaveFd)).isEmpty();
            Terminal.restore(pty.slaveFd, saved);
            assertThat(Terminal.canonicalEof(pty.slaveFd)).isEqualTo(OptionalInt.of(4));
        }
    }
}
