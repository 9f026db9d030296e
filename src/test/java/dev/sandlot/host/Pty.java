package dev.sandlot.host;

import java.io.FileDescriptor;
import java.io.IOException;
import java.io.RandomAccessFile;
import org.newsclub.net.unix.FileDescriptorCast;

/** A pseudo-terminal pair for tests (posix_openpt), closed with {@link #close()}. */
public final class Pty implements AutoCloseable {
    private static final int O_RDWR_NOCTTY = 0x2 | 0x100;

    public final int masterFd;
    public final FileDescriptor master;
    public final String slaveName;
    public final RandomAccessFile slave;
    public final int slaveFd;

    public Pty() throws IOException {
        Terminal.CLib c = Terminal.libc();
        masterFd = c.posix_openpt(O_RDWR_NOCTTY);
        c.grantpt(masterFd);
        c.unlockpt(masterFd);
        slaveName = c.ptsname(masterFd);
        master = FileDescriptorCast.unsafeUsing(masterFd).getFileDescriptor();
        slave = new RandomAccessFile(slaveName, "rw");
        slaveFd = Terminal.fdOf(slave.getFD());
    }

    @Override
    public void close() throws IOException {
        slave.close();
        ConsoleSocket.closeQuietly(master);
    }
}
