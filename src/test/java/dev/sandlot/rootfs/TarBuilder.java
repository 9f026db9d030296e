package dev.sandlot.rootfs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Tar archives built in memory with commons-compress, names kept exactly as given (even absolute ones). */
public final class TarBuilder {
    public static final FileTime MTIME = FileTime.fromMillis(1_600_000_000_000L);

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream out = new TarArchiveOutputStream(bytes);

    public TarBuilder() {
        this(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    /** @param longFileMode how long names are written: GNU long-name entries or PAX headers */
    public TarBuilder(int longFileMode) {
        out.setLongFileMode(longFileMode);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    public static TarArchiveEntry entry(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setModTime(MTIME);
        return e;
    }

    public TarBuilder dir(String name) {
        return dir(name, 0755, 0, 0);
    }

    public TarBuilder dir(String name, int mode, long uid, long gid) {
        TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        return add(e, new byte[0]);
    }

    public TarBuilder file(String name, String content) {
        return file(name, content, 0644, 0, 0);
    }

    public TarBuilder file(String name, String content, int mode, long uid, long gid) {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL);
        e.setMode(mode);
        e.setUserId(uid);
        e.setGroupId(gid);
        return add(e, content.getBytes(StandardCharsets.UTF_8));
    }

    public TarBuilder symlink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK);
        e.setLinkName(target);
        e.setMode(0777);
        return add(e, new byte[0]);
    }

    public TarBuilder hardLink(String name, String target) {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK);
        e.setLinkName(target);
        return add(e, new byte[0]);
    }

    public TarBuilder device(String name) {
        TarArchiveEntry e = entry(name, TarConstants.LF_CHR);
        e.setDevMajor(1);
        e.setDevMinor(3);
        e.setMode(0666);
        return add(e, new byte[0]);
    }

    public TarBuilder fifo(String name) {
        TarArchiveEntry e = entry(name, TarConstants.LF_FIFO);
        e.setMode(0644);
        return add(e, new byte[0]);
    }

    public TarBuilder add(TarArchiveEntry e, byte[] data) {
        try {
            e.setSize(data.length);
            out.putArchiveEntry(e);
            out.write(data);
            out.closeArchiveEntry();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return this;
    }

    public byte[] tar() {
        try {
            out.finish();
            out.close();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return bytes.toByteArray();
    }

    public byte[] tarGz() {
        return gzip(tar());
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(gz)) {
            out.write(data);
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
        return gz.toByteArray();
    }

    public Path writeTo(Path file) throws IOException {
        return Files.write(file, tar());
    }
}
