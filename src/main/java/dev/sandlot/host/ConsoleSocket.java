package dev.sandlot.host;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.newsclub.net.unix.AFUNIXServerSocket;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * The AF_UNIX socket {@code runsc exec -console-socket} connects to, to hand over the master end
 * of the pseudo-terminal it made (SCM_RIGHTS), as runc's console socket works.
 *
 * <p>It lives in a fresh directory of its own (mode 0700, so only this user can connect), which
 * also holds the other files of one exec (the pid file); {@link #close()} removes all of it.
 */
public final class ConsoleSocket implements AutoCloseable {
    private static final String SOCKET = "console.sock";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int ANCILLARY_BYTES = 1024;

    private final Path dir;
    private final Path socket;
    private final AFUNIXServerSocket server;

    private ConsoleSocket(Path dir, Path socket, AFUNIXServerSocket server) {
        this.dir = dir;
        this.socket = socket;
        this.server = server;
    }

    /** A console socket in a new private directory under the temp dir. */
    public static ConsoleSocket open() throws IOException {
        return open(Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** A console socket in a new private directory under {@code parent}. */
    public static ConsoleSocket open(Path parent) throws IOException {
        Path dir = Files.createTempDirectory(parent, "sandlot-exec-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = dir.resolve(SOCKET);
        try {
            AFUNIXServerSocket server = AFUNIXServerSocket.newInstance();
            server.bind(AFUNIXSocketAddress.of(socket), 1);
            return new ConsoleSocket(dir, socket, server);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** The socket's path (for {@code -console-socket}). */
    public Path path() {
        return socket;
    }

    /** A file in this socket's private directory. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    /**
     * Waits for one connection that sends a file descriptor, and returns it (a duplicate the caller
     * owns; the received descriptors themselves are closed with the connection).
     * Gives up (empty) after {@code timeout}, or once {@code keepWaiting} turns false and no
     * connection is pending (the program that was to connect has exited).
     *
     * @throws IOException when a peer connected but sent no file descriptor, or the socket failed
     */
    public Optional<FileDescriptor> receive(Duration timeout, BooleanSupplier keepWaiting) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean last = !keepWaiting.getAsBoolean() || System.nanoTime() >= deadline;
            server.setSoTimeout(last ? 1 : (int) Math.max(1, Math.min(POLL.toMillis(), millisLeft(deadline))));
            AFUNIXSocket peer;
            try {
                peer = server.accept();
            } catch (SocketTimeoutException e) {
                if (last) {
                    return Optional.empty();
                }
                continue;
            }
            try (AFUNIXSocket s = peer) {
                return Optional.of(readDescriptor(s, Math.max(1, millisLeft(deadline))));
            }
        }
    }

    private static FileDescriptor readDescriptor(AFUNIXSocket s, long timeoutMillis) throws IOException {
        s.setAncillaryReceiveBufferSize(ANCILLARY_BYTES);
        s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
        InputStream in = s.getInputStream();
        byte[] buf = new byte[256];
        try {
            while (in.read(buf) != -1) {
                FileDescriptor[] fds = s.getReceivedFileDescriptors();
                if (fds != null && fds.length > 0) {
                    // junixsocket closes the received descriptors with the socket: keep a duplicate.
                    return FileDescriptorCast.duplicating(fds[0]).getFileDescriptor();
                }
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("the console socket's peer sent no file descriptor in time", e);
        }
        throw new IOException("the console socket's peer closed the connection without sending a file descriptor");
    }

    private static long millisLeft(long deadline) {
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }

    /** Closes a file descriptor Java holds no stream for (e.g. one received and not kept). */
    public static void closeQuietly(FileDescriptor fd) {
        try {
            new FileInputStream(fd).close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }

    /** Closes the socket and removes its directory with everything in it. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // removing the directory below is what matters
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // already gone
        }
    }
}
