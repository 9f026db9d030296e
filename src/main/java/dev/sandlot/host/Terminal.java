package dev.sandlot.host;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Optional;
import java.util.OptionalInt;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * Terminal calls of libc through JNA, for {@code sandlot exec} with a terminal: {@code isatty},
 * window sizes ({@code TIOCGWINSZ}/{@code TIOCSWINSZ}) and raw mode ({@code tcgetattr},
 * {@code cfmakeraw}, {@code tcsetattr}).
 *
 * <p>Constants and the {@code struct termios} layout are Linux's on x86_64 and aarch64 (glibc): the
 * ioctl numbers differ on powerpc, mips and sparc. Without JNA's native library every call reports
 * "not a terminal" or fails with an {@link IOException}, and {@code sandlot exec} runs without one.
 */
public final class Terminal {
    public static final int STDIN = 0;
    public static final int STDOUT = 1;

    static final long TIOCGWINSZ = 0x5413;
    static final long TIOCSWINSZ = 0x5414;
    private static final int TCSANOW = 0;
    /** Larger than glibc's struct termios (60 bytes): JNA copies the whole array in and out. */
    private static final int TERMIOS_BYTES = 256;
    private static final int C_LFLAG = 12;
    private static final int C_CC = 17;
    private static final int VEOF = 4;
    private static final int ICANON = 0x2;

    interface CLib extends Library {
        int isatty(int fd);

        int ioctl(int fd, NativeLong request, byte[] arg) throws LastErrorException;

        int tcgetattr(int fd, byte[] termios) throws LastErrorException;

        int tcsetattr(int fd, int when, byte[] termios) throws LastErrorException;

        void cfmakeraw(byte[] termios);

        // For tests, which make pseudo-terminal pairs of their own.
        int posix_openpt(int flags) throws LastErrorException;

        int grantpt(int fd) throws LastErrorException;

        int unlockpt(int fd) throws LastErrorException;

        String ptsname(int fd);

        int close(int fd) throws LastErrorException;
    }

    private static volatile CLib libc;

    private Terminal() {
    }

    static CLib libc() throws IOException {
        CLib c = libc;
        if (c == null) {
            try {
                c = Native.load("c", CLib.class);
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                throw new IOException("cannot load libc through JNA: " + e.getMessage(), e);
            }
            libc = c;
        }
        return c;
    }

    /** Whether {@code fd} is a terminal; false also where libc cannot be reached. */
    public static boolean isTerminal(int fd) {
        try {
            return libc().isatty(fd) == 1;
        } catch (IOException e) {
            return false;
        }
    }

    /** The size of the terminal on {@code fd}, or empty when it is none (or reports 0 x 0). */
    public static Optional<WindowSize> windowSize(int fd) {
        try {
            byte[] struct = new byte[WindowSize.BYTES];
            libc().ioctl(fd, new NativeLong(TIOCGWINSZ), struct);
            WindowSize size = WindowSize.fromNative(struct);
            return size.rows() == 0 && size.cols() == 0 ? Optional.empty() : Optional.of(size);
        } catch (IOException | LastErrorException e) {
            return Optional.empty();
        }
    }

    /** Sets the size of the terminal on {@code fd} (on a pty master: its slave's, with SIGWINCH). */
    public static void setWindowSize(int fd, WindowSize size) throws IOException {
        try {
            libc().ioctl(fd, new NativeLong(TIOCSWINSZ), size.toNative());
        } catch (LastErrorException e) {
            throw new IOException("TIOCSWINSZ on fd " + fd + ": " + e.getMessage(), e);
        }
    }

    /** A terminal's settings, as saved by {@link #makeRaw}. */
    public static final class Mode {
        private final byte[] termios;

        private Mode(byte[] termios) {
            this.termios = termios.clone();
        }
    }

    /** Puts the terminal on {@code fd} in raw mode (as {@code stty raw -echo}); returns what to restore. */
    public static Mode makeRaw(int fd) throws IOException {
        byte[] termios = new byte[TERMIOS_BYTES];
        try {
            libc().tcgetattr(fd, termios);
            Mode saved = new Mode(termios);
            libc().cfmakeraw(termios);
            libc().tcsetattr(fd, TCSANOW, termios);
            return saved;
        } catch (LastErrorException e) {
            throw new IOException("cannot put fd " + fd + " in raw mode: " + e.getMessage(), e);
        }
    }

    /** Restores what {@link #makeRaw} saved. */
    public static void restore(int fd, Mode mode) throws IOException {
        try {
            libc().tcsetattr(fd, TCSANOW, mode.termios.clone());
        } catch (LastErrorException e) {
            throw new IOException("cannot restore the terminal settings of fd " + fd + ": " + e.getMessage(), e);
        }
    }

    /**
     * The end-of-file character of the terminal on {@code fd} when it is in canonical mode (what a
     * program reading it line by line takes as EOF, ^D by default), else empty. On a pty master this
     * reports the slave's settings.
     */
    public static OptionalInt canonicalEof(int fd) {
        byte[] termios = new byte[TERMIOS_BYTES];
        try {
            libc().tcgetattr(fd, termios);
        } catch (IOException | LastErrorException e) {
            return OptionalInt.empty();
        }
        return canonicalEof(termios);
    }

    static OptionalInt canonicalEof(byte[] termios) {
        int lflag = ByteBuffer.wrap(termios, C_LFLAG, 4).order(ByteOrder.nativeOrder()).getInt();
        return (lflag & ICANON) != 0 ? OptionalInt.of(termios[C_CC + VEOF] & 0xFF) : OptionalInt.empty();
    }

    /** The number of a file descriptor Java holds (e.g. one received over an AF_UNIX socket). */
    public static int fdOf(FileDescriptor fd) throws IOException {
        return FileDescriptorCast.using(fd).as(Integer.class);
    }
}
