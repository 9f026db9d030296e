package dev.sandlot.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which files in a manifest folder count, and reading them safely. Shared by {@code validate} and
 * the daemon's folder source, so that both always agree.
 *
 * <p>A file counts when it lies directly in the folder (subfolders are not read), its name ends in
 * {@code .yaml} or {@code .yml}, and it is not a dotfile or an editor/backup file ({@code .x.swp},
 * {@code .#x.yaml}, {@code x.yaml~}, {@code x.yaml.bak}, {@code #x.yaml#}, {@code 4913},
 * {@code ~$x.yaml} all do not). Among files that count, anything but a regular file is reported
 * as {@link ManifestFile.Unreadable}, never opened: symlinks are not followed, FIFOs, sockets,
 * devices and directories are not read. Reads are limited to {@link ManifestParser#MAX_FILE_BYTES}.
 *
 * <p>The type is checked without following links before opening, and the open itself refuses a
 * symlink ({@code O_NOFOLLOW}). A file swapped for a FIFO between the two could still block the
 * open; that needs write access to the folder, which only root has (RELIABILITY.md §B.15).
 */
public final class ManifestFiles {
    private static final String GONE = "no such file";

    private ManifestFiles() {
    }

    /** Whether a file of this name, directly in a manifest folder, is a manifest. */
    public static boolean isManifestName(String fileName) {
        return (fileName.endsWith(".yaml") || fileName.endsWith(".yml"))
                && !fileName.startsWith(".")
                && !fileName.startsWith("#")
                && !fileName.startsWith("~");
    }

    /**
     * Every file of {@code folder} that counts, sorted by name, each loaded or with the reason it
     * was not. A file that vanishes between listing and reading is left out, as if listed later.
     *
     * @throws IOException when the folder itself cannot be listed (missing, not a folder,
     *     unreadable): callers must then keep what they had, never read it as "no manifests"
     */
    public static List<ManifestFile> read(Path folder) throws IOException {
        List<Path> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path entry : entries) {
                if (isManifestName(entry.getFileName().toString())) {
                    names.add(entry);
                }
            }
        }
        names.sort(Comparator.comparing(p -> p.getFileName().toString()));
        List<ManifestFile> files = new ArrayList<>();
        for (Path file : names) {
            ManifestFile read = readFile(file);
            if (!(read instanceof ManifestFile.Unreadable u && u.reason().equals(GONE))) {
                files.add(read);
            }
        }
        return files;
    }

    /** Reads one file with the same care as {@link #read(Path)}, whatever its name. Never throws for I/O. */
    public static ManifestFile readFile(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return new ManifestFile.Unreadable(file, reason(e));
        }
        if (attributes.isSymbolicLink()) {
            return new ManifestFile.Unreadable(file, "symlinks are not followed");
        }
        if (attributes.isDirectory()) {
            return new ManifestFile.Unreadable(file, "is a folder; subfolders are not read");
        }
        if (!attributes.isRegularFile()) {
            return new ManifestFile.Unreadable(file, "not a regular file (a FIFO, socket or device is never read)");
        }
        if (attributes.size() > ManifestParser.MAX_FILE_BYTES) {
            return tooLarge(file);
        }
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            byte[] content = readUpTo(in, attributes.size(), ManifestParser.MAX_FILE_BYTES + 1);
            if (content.length > ManifestParser.MAX_FILE_BYTES) {
                return tooLarge(file);
            }
            return new ManifestFile.Loaded(file, content);
        } catch (IOException e) {
            return new ManifestFile.Unreadable(file, reason(e));
        }
    }

    /**
     * At most {@code limit} bytes, read in a buffer of the size the file had when it was looked at
     * (then on, if it grew meanwhile): {@code readNBytes(limit)} alone allocates 8 KiB chunks,
     * for every file on every relist.
     */
    static byte[] readUpTo(InputStream in, long sizeSeen, int limit) throws IOException {
        byte[] first = in.readNBytes((int) Math.min(sizeSeen + 1, limit));
        if (first.length <= sizeSeen || first.length == limit) {
            return first;
        }
        byte[] rest = in.readNBytes(limit - first.length);
        byte[] all = Arrays.copyOf(first, first.length + rest.length);
        System.arraycopy(rest, 0, all, first.length, rest.length);
        return all;
    }

    private static ManifestFile tooLarge(Path file) {
        return new ManifestFile.Unreadable(file, "file is larger than " + ManifestParser.MAX_FILE_BYTES / 1024 + " KiB");
    }

    /** A short reason; exception messages are not used since they repeat paths and OS wording. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return GONE;
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "a path component is not a folder";
        }
        if (e instanceof FileSystemLoopException || "ELOOP".equals(e.getMessage())) {
            return "symlinks are not followed";
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("symbolic links")) {
            return "symlinks are not followed";
        }
        return "cannot be read (" + e.getClass().getSimpleName() + ")";
    }
}
