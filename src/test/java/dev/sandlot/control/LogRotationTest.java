package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRotationTest {
    @TempDir
    Path logs;

    private long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    @Test
    void aLogOverTheCapIsCopiedToDotOneAndTruncatedInPlace() throws IOException {
        Path log = logs.resolve("web.log");
        // The sandbox holds its log open in append mode and never reopens it.
        try (FileOutputStream sandbox = new FileOutputStream(log.toFile(), true)) {
            sandbox.write("0123456789abcdef\n".getBytes(StandardCharsets.UTF_8));
            long before = inode(log);

            new LogRotation(logs, 10, 3).rotate();
            sandbox.write("after\n".getBytes(StandardCharsets.UTF_8));

            assertThat(inode(log)).as("same inode: the sandbox keeps writing to it").isEqualTo(before);
            assertThat(log).hasContent("after");
            assertThat(logs.resolve("web.log.1")).hasContent("0123456789abcdef");
        }
    }

    @Test
    void olderCopiesShiftUpAndTheOldestBeyondTheLimitGoes() throws IOException {
        Path log = logs.resolve("web.log");
        Files.writeString(log, "current, over the cap\n");
        Files.writeString(logs.resolve("web.log.1"), "one");
        Files.writeString(logs.resolve("web.log.2"), "two");
        Files.writeString(logs.resolve("web.log.3"), "three");

        new LogRotation(logs, 5, 3).rotate();

        assertThat(log).isEmptyFile();
        assertThat(logs.resolve("web.log.1")).hasContent("current, over the cap");
        assertThat(logs.resolve("web.log.2")).hasContent("one");
        assertThat(logs.resolve("web.log.3")).hasContent("two");
        assertThat(logs.resolve("web.log.4")).doesNotExist();
    }

    @Test
    void gapsInTheOlderCopiesAreFine() throws IOException {
        Files.writeString(logs.resolve("web.log"), "current, over the cap\n");
        Files.writeString(logs.resolve("web.log.2"), "two");

        new LogRotation(logs, 5, 3).rotate();

        assertThat(logs.resolve("web.log.1")).hasContent("current, over the cap");
        assertThat(logs.resolve("web.log.2")).doesNotExist();
        assertThat(logs.resolve("web.log.3")).hasContent("two");
    }

    @Test
    void logsWithinTheCapAndOtherFilesAreLeftAlone() throws IOException {
        Files.writeString(logs.resolve("small.log"), "tiny");
        Files.writeString(logs.resolve("web.log.1"), "an old copy, larger than the cap");
        Files.writeString(logs.resolve("notes.txt"), "not a log, larger than the cap");
        Files.createDirectories(logs.resolve("dir.log"));

        new LogRotation(logs, 10, 3).rotate();

        assertThat(logs.resolve("small.log")).hasContent("tiny");
        assertThat(logs.resolve("small.log.1")).doesNotExist();
        assertThat(logs.resolve("web.log.1")).hasContent("an old copy, larger than the cap");
        assertThat(logs.resolve("web.log.1.1")).doesNotExist();
        assertThat(logs.resolve("notes.txt")).hasContent("not a log, larger than the cap");
    }

    @Test
    void eachLogRotatesOnItsOwn() throws IOException {
        Files.writeString(logs.resolve("a.log"), "aaaaaaaaaaaaaaaa");
        Files.writeString(logs.resolve("b.log"), "b");

        new LogRotation(logs, 10, 3).rotate();

        assertThat(logs.resolve("a.log")).isEmptyFile();
        assertThat(logs.resolve("a.log.1")).hasContent("aaaaaaaaaaaaaaaa");
        assertThat(logs.resolve("b.log")).hasContent("b");
    }

    @Test
    void aMissingLogsFolderIsNothingToDo() {
        new LogRotation(logs.resolve("missing"), 10, 3).rotate();

        assertThat(logs.resolve("missing")).doesNotExist();
    }
}
