package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** The console socket receives a file descriptor as runsc sends it: one message, the fd in SCM_RIGHTS. */
class ConsoleSocketTest {

    /** What runsc's console.NewWithSocket does: connect, send "pty-master" with the fd attached. */
    static void send(Path socket, FileDescriptor fd, String message) throws IOException {
        try (AFUNIXSocket s = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(socket))) {
            if (fd != null) {
                s.setOutboundFileDescriptors(fd);
            }
            s.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void receivesTheDescriptorAPeerSends(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("target");
        try (ConsoleSocket console = ConsoleSocket.open(tmp)) {
            Path dir = console.path().getParent();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try (FileOutputStream out = new FileOutputStream(target.toFile())) {
                    send(console.path(), out.getFD(), "pty-master");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Optional<FileDescriptor> fd = console.receive(Duration.ofSeconds(10), () -> true);
            sender.get();
            assertThat(fd).isPresent();
            // The sender closed its copy: the file is written through the received one only.
            try (OutputStream out = new FileOutputStream(fd.get())) {
                out.write("through the received fd".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(Files.readString(target)).isEqualTo("through the received fd");
        }
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("target");
        }
    }

    @Test
    void givesUpOnceThePeerCannotComeAnymore(@TempDir Path tmp) throws Exception {
        try (ConsoleSocket console = ConsoleSocket.open(tmp)) {
            long start = System.nanoTime();
            assertThat(console.receive(Duration.ofSeconds(30), () -> false)).isEmpty();
            assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
            start = System.nanoTime();
            assertThat(console.receive(Duration.ofMillis(300), () -> true)).isEmpty();
            assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
        }
    }

    @Test
    void aConnectionThatCameBeforeThePeerExitedIsStillTaken(@TempDir Path tmp) throws Exception {
        Path target = tmp.resolve("target");
        try (ConsoleSocket console = ConsoleSocket.open(tmp); FileOutputStream out = new FileOutputStream(target.toFile())) {
            send(console.path(), out.getFD(), "pty-master");
            Optional<FileDescriptor> fd = console.receive(Duration.ofSeconds(10), () -> false);
            assertThat(fd).isPresent();
            ConsoleSocket.closeQuietly(fd.get());
        }
    }

    @Test
    void aPeerThatSendsNoDescriptorIsAnError(@TempDir Path tmp) throws Exception {
        try (ConsoleSocket console = ConsoleSocket.open(tmp)) {
            send(console.path(), null, "no fd here");
            assertThatThrownBy(() -> console.receive(Duration.ofSeconds(10), () -> true))
                    .isInstanceOf(IOException.class).hasMessageContaining("without sending a file descriptor");
        }
    }
}
