package dev.sandlot.control;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's sd_notify protocol: one datagram of {@code KEY=VALUE} lines per call, sent over an
 * AF_UNIX datagram socket named by {@code NOTIFY_SOCKET} (a path, or {@code @name} for the abstract
 * namespace). The JDK has no AF_UNIX datagram sockets, so this uses junixsocket.
 *
 * <p>Never throws and never blocks: the socket is non-blocking (a full queue in the service manager
 * is a failed send, not a stalled daemon loop). The first failed send is logged at WARN, later ones
 * at DEBUG until a send succeeds again. Thread-safe.
 */
public final class SystemdNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    /** STATUS= is one line in `systemctl status`; longer text is cut. */
    static final int MAX_STATUS = 200;

    private final String socketName;
    private final SocketAddress address;
    private final Duration watchdogInterval;
    private final AtomicBoolean failing = new AtomicBoolean();
    private AFUNIXDatagramChannel channel;

    SystemdNotifier(String socketName, SocketAddress address, Duration watchdogInterval) {
        this.socketName = socketName;
        this.address = address;
        this.watchdogInterval = watchdogInterval;
    }

    /** The notifier for this process: {@link Notifier#NONE} unless systemd set {@code NOTIFY_SOCKET}. */
    public static Notifier fromEnvironment() {
        return fromEnvironment(System.getenv(), ProcessHandle.current().pid());
    }

    static Notifier fromEnvironment(Map<String, String> env, long ownPid) {
        String socket = env.get("NOTIFY_SOCKET");
        if (socket == null || socket.isEmpty()) {
            return NONE;
        }
        SocketAddress address;
        try {
            address = address(socket);
        } catch (IOException | RuntimeException e) {
            LOG.warn("NOTIFY_SOCKET={} is not a usable AF_UNIX address ({}); systemd will not hear from sandlot",
                    printable(socket), e.getMessage());
            return NONE;
        }
        return new SystemdNotifier(socket, address, watchdogInterval(env, ownPid));
    }

    /** {@code /path} or {@code @abstract-name}, as sd_notify(3) reads NOTIFY_SOCKET. */
    static SocketAddress address(String socket) throws IOException {
        if (socket.startsWith("@")) {
            return AFUNIXSocketAddress.inAbstractNamespace(socket.substring(1));
        }
        if (socket.startsWith("/")) {
            return AFUNIXSocketAddress.of(Path.of(socket));
        }
        throw new IOException("neither an absolute path nor @name");
    }

    /**
     * WATCHDOG_USEC as sd_watchdog_enabled(3) reads it: a positive number of microseconds, meant for
     * this process unless WATCHDOG_PID names another one (then null: the watchdog is not ours).
     */
    static Duration watchdogInterval(Map<String, String> env, long ownPid) {
        String usec = env.get("WATCHDOG_USEC");
        if (usec == null) {
            return null;
        }
        String pid = env.get("WATCHDOG_PID");
        try {
            if (pid != null && !pid.isEmpty() && Long.parseLong(pid.trim()) != ownPid) {
                return null;
            }
            long micros = Long.parseLong(usec.trim());
            return micros > 0 ? Duration.ofNanos(Math.multiplyExact(micros, 1000L)) : null;
        } catch (NumberFormatException | ArithmeticException e) {
            LOG.warn("ignoring malformed WATCHDOG_USEC={} / WATCHDOG_PID={}", printable(usec), printable(pid));
            return null;
        }
    }

    @Override
    public void ready() {
        send("READY=1");
    }

    @Override
    public void watchdog() {
        send("WATCHDOG=1");
    }

    @Override
    public void status(String line) {
        send("STATUS=" + oneLine(line));
    }

    @Override
    public void extendTimeout(Duration more) {
        if (more == null || more.isNegative() || more.isZero()) {
            return;
        }
        long micros;
        try {
            micros = Math.multiplyExact(more.getSeconds(), 1_000_000L) + more.getNano() / 1000;
        } catch (ArithmeticException e) {
            micros = Long.MAX_VALUE;
        }
        send("EXTEND_TIMEOUT_USEC=" + micros);
    }

    @Override
    public void stopping() {
        send("STOPPING=1");
    }

    @Override
    public Duration watchdogInterval() {
        return watchdogInterval;
    }

    /** Sends one datagram; true when the whole message went out. Never throws. */
    synchronized boolean send(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try {
            if (channel == null || !channel.isOpen()) {
                channel = AFUNIXDatagramChannel.open();
                // A service manager that stopped reading must not stall the daemon's loop.
                channel.configureBlocking(false);
            }
            int sent = channel.send(ByteBuffer.wrap(bytes), address);
            if (sent != bytes.length) {
                throw new IOException("the service manager's queue is full");
            }
            if (failing.compareAndSet(true, false)) {
                LOG.info("sd_notify works again on {}", printable(socketName));
            }
            return true;
        } catch (IOException | RuntimeException | LinkageError e) {
            if (failing.compareAndSet(false, true)) {
                LOG.warn("sd_notify to {} failed ({}: {}); systemd may consider sandlot hung. Later failures are "
                        + "logged at DEBUG", printable(socketName), e.getClass().getSimpleName(), e.getMessage());
            } else {
                LOG.debug("sd_notify {} failed: {}", firstKey(message), e.toString());
            }
            closeQuietly();
            return false;
        }
    }

    /** Closes the socket; a later call opens a new one. */
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing the notify socket: {}", e.toString());
            }
            channel = null;
        }
    }

    /** A newline would start another assignment (e.g. a forged READY=1): keep STATUS on one line. */
    static String oneLine(String line) {
        if (line == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(line.length(), MAX_STATUS));
        line.codePoints().limit(MAX_STATUS)
                .forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
        return b.toString().strip();
    }

    private static String firstKey(String message) {
        int eq = message.indexOf('=');
        return eq < 0 ? message : message.substring(0, eq);
    }

    private static String printable(String s) {
        return s == null ? "null" : oneLine(s);
    }

    @Override
    public String toString() {
        return "SystemdNotifier[" + printable(socketName) + ", watchdog=" + watchdogInterval + "]";
    }
}
