package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** sd_notify datagrams received by a real AF_UNIX datagram socket, as systemd's notify socket would. */
@Timeout(60)
class SystemdNotifierTest {
    @TempDir
    Path dir;

    @Test
    void sendsEachMessageAsOneDatagramToAPathSocket() throws IOException {
        Path socket = dir.resolve("notify");
        try (AFUNIXDatagramChannel server = bind(AFUNIXSocketAddress.of(socket))) {
            Notifier n = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()), 42);
            assertThat(n).isInstanceOf(SystemdNotifier.class);

            n.ready();
            n.watchdog();
            n.status("3 sandboxes, 1 pending");
            n.extendTimeout(Duration.ofSeconds(90));
            n.stopping();

            assertThat(receive(server)).isEqualTo("READY=1");
            assertThat(receive(server)).isEqualTo("WATCHDOG=1");
            assertThat(receive(server)).isEqualTo("STATUS=3 sandboxes, 1 pending");
            assertThat(receive(server)).isEqualTo("EXTEND_TIMEOUT_USEC=90000000");
            assertThat(receive(server)).isEqualTo("STOPPING=1");
        }
    }

    @Test
    void reachesAnAbstractNamespaceSocket() throws IOException {
        String name = "sandlot-test-" + UUID.randomUUID();
        try (AFUNIXDatagramChannel server = bind(AFUNIXSocketAddress.inAbstractNamespace(name))) {
            Notifier n = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name), 42);
            n.ready();
            assertThat(receive(server)).isEqualTo("READY=1");
        }
    }

    @Test
    void statusStaysOneLineSoItCannotForgeOtherAssignments() throws IOException {
        Path socket = dir.resolve("notify");
        try (AFUNIXDatagramChannel server = bind(AFUNIXSocketAddress.of(socket))) {
            Notifier n = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", socket.toString()), 42);
            n.status("bad\nREADY=1\u001b[31m");
            n.status("x".repeat(1000));
            assertThat(receive(server)).isEqualTo("STATUS=bad READY=1 [31m").doesNotContain("\n");
            assertThat(receive(server)).hasSize("STATUS=".length() + SystemdNotifier.MAX_STATUS);
        }
    }

    @Test
    void withoutNotifySocketItIsTheNoOpNotifier() {
        assertThat(SystemdNotifier.fromEnvironment(Map.of(), 42)).isSameAs(Notifier.NONE);
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", ""), 42)).isSameAs(Notifier.NONE);
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "relative/path"), 42))
                .isSameAs(Notifier.NONE);
        assertThat(SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "30000000"), 42).watchdogInterval())
                .isNull();
    }

    @Test
    void watchdogIntervalHonoursWatchdogPid() {
        String sock = dir.resolve("notify").toString();
        assertThat(SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", sock), 42).watchdogInterval()).isNull();
        assertThat(SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", sock, "WATCHDOG_USEC", "30000000"), 42).watchdogInterval())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", sock, "WATCHDOG_USEC", "2500", "WATCHDOG_PID", "42"), 42).watchdogInterval())
                .isEqualTo(Duration.ofNanos(2_500_000));
        assertThat(SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", sock, "WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "7"), 42).watchdogInterval())
                .as("the watchdog belongs to another process").isNull();
        assertThat(SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", sock, "WATCHDOG_USEC", "0"), 42).watchdogInterval()).isNull();
        assertThat(SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", sock, "WATCHDOG_USEC", "soon"), 42).watchdogInterval()).isNull();
    }

    @Test
    void aMissingSocketIsAFailedSendNeverAnException() {
        SystemdNotifier n = (SystemdNotifier) SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", dir.resolve("nobody-listens").toString()), 42);
        assertThat(n.send("READY=1")).isFalse();
        n.ready();
        n.watchdog();
        n.status("still fine");
        n.extendTimeout(Duration.ofSeconds(1));
        n.stopping();
        assertThat(n.send("WATCHDOG=1")).isFalse();
    }

    @Test
    void aServiceManagerThatStopsReadingNeverBlocksTheCaller() throws IOException {
        Path socket = dir.resolve("notify");
        try (AFUNIXDatagramChannel server = bind(AFUNIXSocketAddress.of(socket))) {
            SystemdNotifier n = (SystemdNotifier) SystemdNotifier.fromEnvironment(
                    Map.of("NOTIFY_SOCKET", socket.toString()), 42);
            // The kernel queues a handful of datagrams (net.unix.max_dgram_qlen); past that a
            // blocking socket would wait forever for a reader.
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                int failed = 0;
                for (int i = 0; i < 2000 && failed == 0; i++) {
                    failed += n.send("WATCHDOG=1") ? 0 : 1;
                }
                assertThat(failed).as("a full queue is reported as a failed send").isEqualTo(1);
            });
            // Once the manager reads again, sending works again.
            while (receiveNow(server) != null) {
                // drain
            }
            assertThat(n.send("READY=1")).isTrue();
        }
    }

    static AFUNIXDatagramChannel bind(SocketAddress address) throws IOException {
        AFUNIXDatagramChannel server = AFUNIXDatagramChannel.open();
        server.bind(address);
        return server;
    }

    /** One datagram, waiting at most a few seconds. */
    static String receive(AFUNIXDatagramChannel server) throws IOException {
        server.configureBlocking(true);
        server.socket().setSoTimeout(5000);
        ByteBuffer buf = ByteBuffer.allocate(4096);
        // The sender is unnamed (like sd_notify's), so receive() returns no address: look at the data.
        server.receive(buf);
        if (buf.position() == 0) {
            throw new AssertionError("no datagram within 5 s");
        }
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }

    /** One datagram if one is queued, else null. */
    private static String receiveNow(AFUNIXDatagramChannel server) throws IOException {
        server.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(4096);
        server.receive(buf);
        if (buf.position() == 0) {
            return null;
        }
        buf.flip();
        return StandardCharsets.UTF_8.decode(buf).toString();
    }
}
