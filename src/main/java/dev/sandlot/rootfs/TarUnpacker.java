package dev.sandlot.rootfs;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks tar streams into one directory tree, the way {@code tar -x --same-owner --numeric-owner}
 * does as root, but refusing anything that could write outside the tree.
 *
 * <p>Rules, each a test:
 * <ul>
 * <li>Entry names are relative: an absolute name or any {@code ..} component is an error (GNU tar
 *     strips or skips them; an archive that needs either is not a root filesystem one can trust).</li>
 * <li>No entry is written through a symlink: every directory on an entry's path must be a real
 *     directory in the tree (missing ones are made 0755 root:root). {@code link -> /etc} followed by
 *     {@code link/passwd} is an error, where containerd would follow the link inside the root.</li>
 * <li>The last component is never followed either: whatever is at the path is removed first (a
 *     directory over a directory merges), and files are created {@code O_CREAT|O_EXCL}.</li>
 * <li>A hard link's target is found the same way (no symlink on its path, not a directory), so it
 *     can only name a file already in the tree; a link to a symlink links the symlink itself.</li>
 * <li>Owners (numeric, when running as root), modes including setuid/setgid/sticky bits, mtimes,
 *     symlinks, hard links and empty directories are kept. Directories get their metadata at
 *     {@link #finish()}, after their content, so that mtimes stick and read-only directories can
 *     be filled. Device nodes, FIFOs and unknown entry types are skipped and listed.</li>
 * <li>Limits ({@link Limits}) on entries and content bytes over the whole tree, and on header data
 *     (long names, PAX records) per entry, checked before anything is read into memory.</li>
 * </ul>
 *
 * <p>In {@link Mode#LAYER} mode (OCI image layers applied in order), {@code .wh.NAME} removes NAME
 * from the lower layers and {@code .wh..wh..opq} empties its directory of everything the lower
 * layers put there; neither touches what the same layer adds, wherever it appears in the stream.
 *
 * <p>Not thread-safe; one instance per tree, used for every layer of it, then {@link #finish()}.
 */
final class TarUnpacker {
    enum Mode {
        /** A plain archive ({@code docker export}): {@code .wh.} names are ordinary files. */
        ARCHIVE,
        /** An OCI image layer: whiteouts and opaque directories apply to what lower layers made. */
        LAYER
    }

    static final String WHITEOUT = ".wh.";
    static final String OPAQUE = ".wh..wh..opq";
    /** aufs bookkeeping ({@code .wh..wh.plnk} and the like): never part of the image. */
    private static final String WHITEOUT_META = ".wh..wh.";
    /** Long names, link targets and PAX records of one entry, together. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    private static final long MAX_ID = 0xFFFF_FFFEL;
    private static final int DEFAULT_DIR_MODE = 0755;
    private static final int LISTED_SKIPS = 5;
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path root;
    private final Limits limits;
    private final boolean sameOwner;
    private final byte[] buffer = new byte[1 << 17];
    /** Relative paths known to be real directories in the tree; cleared whenever something is removed. */
    private final Set<String> knownDirs = new HashSet<>();
    /** Metadata of directory entries, applied at {@link #finish()}; sorted so a subtree is one range. */
    private final TreeMap<String, Meta> dirMeta = new TreeMap<>();
    private final List<String> skipped = new ArrayList<>();
    private Set<String> thisLayer;
    private long bytes;
    private long entries;
    private int skippedCount;
    private String source = "archive";
    private final FileTime started = FileTime.fromMillis(System.currentTimeMillis());

    private record Meta(long uid, long gid, int mode, FileTime mtime) {
    }

    /**
     * @param root      an existing, empty directory that only this unpacker writes to
     * @param sameOwner keep the archive's numeric owners (needs root); else files belong to this process
     */
    TarUnpacker(Path root, Limits limits, boolean sameOwner) {
        this.root = root;
        this.limits = limits;
        this.sameOwner = sameOwner;
    }

    long bytes() {
        return bytes;
    }

    long entries() {
        return entries;
    }

    /** How many entries were skipped (devices, FIFOs, unknown types), and the first few of them. */
    String skippedSummary() {
        if (skippedCount == 0) {
            return null;
        }
        return skippedCount + " entries skipped (" + String.join(", ", skipped)
                + (skippedCount > skipped.size() ? ", ..." : "") + ")";
    }

    /**
     * Unpacks one uncompressed tar stream; reads it up to the tar end-of-archive marker.
     *
     * @param name what the stream is, for messages ("/srv/images/app.tar", "layer 2 of 3 (sha256:...)")
     */
    void apply(InputStream tar, Mode mode, String name) throws RootfsException, IOException {
        this.source = name;
        this.thisLayer = mode == Mode.LAYER ? new HashSet<>() : null;
        HeaderGuard guard = new HeaderGuard(tar);
        GuardedTarInputStream in = new GuardedTarInputStream(guard);
        long before = entries;
        while (true) {
            TarArchiveEntry e;
            guard.limit(MAX_HEADER_BYTES);
            try {
                e = in.getNextEntry();
            } catch (HeaderTooLargeException x) {
                throw new RootfsException(source + ": the header data of one entry (long names, PAX records)"
                        + " exceeds " + MAX_HEADER_BYTES + " bytes; this is not an archive sandlot unpacks");
            } catch (ContentMismatchException x) {
                throw x;
            } catch (IOException | RuntimeException x) {
                throw new RootfsException(source + ": not a valid tar archive after " + (entries - before)
                        + " entries (" + Names.shown(String.valueOf(x.getMessage())) + ")", x);
            } finally {
                guard.unlimited();
            }
            if (e == null) {
                break;
            }
            if (++entries > limits.maxEntries()) {
                throw new RootfsException(source + ": more than " + limits.maxEntries() + " entries; an archive this"
                        + " large is refused (Limits.maxEntries)");
            }
            entry(in, e, mode);
            drain(in);
        }
        if (mode == Mode.ARCHIVE && entries == before) {
            throw new RootfsException(source + ": holds no tar entries; is it a tar archive?");
        }
    }

    private void entry(TarArchiveInputStream in, TarArchiveEntry e, Mode mode) throws RootfsException, IOException {
        String rel = Names.clean(e.getName(), limits.maxNameChars(), source);
        if (mode == Mode.LAYER) {
            if (rel.startsWith(WHITEOUT_META) && !rel.equals(OPAQUE)) {
                return; // aufs bookkeeping at the top (.wh..wh.plnk/...), as Docker skips it
            }
            String base = Names.baseName(rel);
            if (base.startsWith(WHITEOUT)) {
                whiteout(rel, base);
                return;
            }
        }
        if (rel.isEmpty()) {
            if (!e.isDirectory()) {
                throw new RootfsException(source + ": entry " + Names.shown(e.getName())
                        + " names the root but is not a directory");
            }
            dirMeta.put("", meta(e));
            return;
        }
        try {
            if (e.isDirectory()) {
                directory(rel, e);
            } else if (e.isSymbolicLink()) {
                symlink(rel, e);
            } else if (e.isLink()) {
                hardLink(rel, e);
            } else if (e.isCharacterDevice() || e.isBlockDevice()) {
                skip(rel, "device");
            } else if (e.isFIFO()) {
                skip(rel, "FIFO");
            } else if (e.isFile()) {
                if (e.isSparse()) {
                    throw new RootfsException(source + ": entry " + Names.shown(rel) + " is a sparse file, which"
                            + " sandlot does not unpack; make the archive without --sparse");
                }
                regular(in, rel, e);
            } else {
                skip(rel, "entry of an unsupported type");
            }
        } catch (InvalidPathException x) {
            throw new RootfsException(source + ": entry " + Names.shown(rel) + " has a name or link target this JVM"
                    + " cannot represent; run sandlot with a UTF-8 locale (LANG=C.UTF-8)", x);
        }
    }

    private void directory(String rel, TarArchiveEntry e) throws RootfsException, IOException {
        parentOf(rel);
        Path p = root.resolve(rel);
        try {
            Files.createDirectory(p);
        } catch (FileAlreadyExistsException x) {
            BasicFileAttributes a = attributes(p);
            if (a != null && !a.isDirectory()) {
                remove(rel, p, a);
                Files.createDirectory(p);
            }
        }
        knownDirs.add(rel);
        dirMeta.put(rel, meta(e));
        touched(rel);
    }

    private void regular(TarArchiveInputStream in, String rel, TarArchiveEntry e) throws RootfsException, IOException {
        if (e.getSize() > limits.maxBytes() - bytes) {
            throw tooLarge();
        }
        OutputStream[] opened = new OutputStream[1];
        Path p = create(rel, q -> opened[0] = Files.newOutputStream(q, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
        try (OutputStream out = opened[0]) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                count(n);
                out.write(buffer, 0, n);
            }
        }
        owner(p, e);
        // p is the regular file just made, in a tree nothing else writes to: following it is safe,
        // and spares the JDK's open(O_NOFOLLOW) + fchmod/futimens + close per call.
        Files.setAttribute(p, "unix:mode", e.getMode() & 07777);
        times(p, e.getLastModifiedTime(), true);
        touched(rel);
    }

    private void symlink(String rel, TarArchiveEntry e) throws RootfsException, IOException {
        String target = e.getLinkName();
        if (target == null || target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new RootfsException(source + ": symlink " + Names.shown(rel) + " has an empty or invalid target");
        }
        if (target.length() > limits.maxNameChars()) {
            throw new RootfsException(source + ": symlink " + Names.shown(rel) + " has a target longer than "
                    + limits.maxNameChars() + " characters");
        }
        // The target is kept as written: it is resolved inside the sandbox, never by sandlot.
        Path link = root.getFileSystem().getPath(target);
        Path p = create(rel, q -> Files.createSymbolicLink(q, link));
        owner(p, e);
        times(p, e.getLastModifiedTime(), false);
        touched(rel);
    }

    private void hardLink(String rel, TarArchiveEntry e) throws RootfsException, IOException {
        String targetRel = Names.clean(e.getLinkName(), limits.maxNameChars(), source);
        if (targetRel.isEmpty()) {
            throw new RootfsException(source + ": hard link " + Names.shown(rel) + " points to the root directory");
        }
        if (targetRel.equals(rel)) {
            return; // a link to itself: the file is already there
        }
        Path target = existingParent(targetRel, "hard link " + Names.shown(rel) + " to " + Names.shown(targetRel));
        BasicFileAttributes a = target == null ? null : attributes(target.resolve(Names.baseName(targetRel)));
        if (a == null || a.isDirectory()) {
            throw new RootfsException(source + ": hard link " + Names.shown(rel) + " points to "
                    + Names.shown(targetRel) + ", which is " + (a == null ? "not in the archive before it" : "a directory"));
        }
        Path existing = target.resolve(Names.baseName(targetRel));
        create(rel, q -> Files.createLink(q, existing));
        touched(rel);
    }

    private void skip(String rel, String kind) {
        if (skipped.size() < LISTED_SKIPS) {
            skipped.add(kind + " " + Names.shown(rel));
        }
        skippedCount++;
    }

    /** {@code .wh.NAME} or {@code .wh..wh..opq} in an image layer. */
    private void whiteout(String rel, String base) throws RootfsException, IOException {
        String dirRel = Names.parent(rel);
        if (base.equals(OPAQUE)) {
            Path dir = existingDir(dirRel, "opaque marker " + Names.shown(rel));
            if (dir != null) {
                hideLower(dirRel, dir);
            }
            touched(dirRel);
            return;
        }
        if (base.startsWith(WHITEOUT_META)) {
            return;
        }
        String victim = base.substring(WHITEOUT.length());
        if (victim.isEmpty() || victim.equals(".") || victim.equals("..")) {
            throw new RootfsException(source + ": whiteout " + Names.shown(rel) + " names no file");
        }
        String victimRel = Names.join(dirRel, victim);
        if (thisLayer.contains(victimRel)) {
            return; // a whiteout hides lower layers only, never its own layer's files
        }
        Path dir = existingDir(dirRel, "whiteout " + Names.shown(rel));
        if (dir != null) {
            Path p = dir.resolve(victim);
            BasicFileAttributes a = attributes(p);
            if (a != null) {
                remove(victimRel, p, a);
            }
        }
    }

    /** Removes from {@code dir} everything that this layer did not put there (an opaque directory). */
    private void hideLower(String dirRel, Path dir) throws IOException {
        Deque<String> pending = new ArrayDeque<>();
        pending.push(dirRel);
        while (!pending.isEmpty()) {
            String current = pending.pop();
            Path currentPath = current.isEmpty() ? root : root.resolve(current);
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> list = Files.newDirectoryStream(currentPath)) {
                list.forEach(children::add);
            }
            for (Path child : children) {
                String childRel = Names.join(current, child.getFileName().toString());
                BasicFileAttributes a = attributes(child);
                if (a == null) {
                    continue;
                }
                if (!thisLayer.contains(childRel)) {
                    remove(childRel, child, a);
                } else if (a.isDirectory()) {
                    pending.push(childRel);
                }
            }
        }
    }

    @FunctionalInterface
    private interface Maker {
        void make(Path p) throws IOException;
    }

    /**
     * Makes a new file, symlink or link at {@code rel} with {@code maker} (which must fail when
     * something is there, never follow it), its parent directories real; whatever an earlier entry
     * put at the path is removed first. Trying first spares an lstat per entry.
     */
    private Path create(String rel, Maker maker) throws RootfsException, IOException {
        parentOf(rel);
        Path p = root.resolve(rel);
        try {
            maker.make(p);
        } catch (FileAlreadyExistsException x) {
            BasicFileAttributes a = attributes(p);
            if (a != null) {
                remove(rel, p, a);
            }
            maker.make(p);
        }
        return p;
    }

    /** Makes every directory on the way to {@code rel}, refusing to pass a symlink or a file. */
    private void parentOf(String rel) throws RootfsException, IOException {
        String parent = Names.parent(rel);
        if (parent.isEmpty() || knownDirs.contains(parent)) {
            return;
        }
        int from = 0;
        while (from < parent.length()) {
            int slash = parent.indexOf('/', from);
            int end = slash < 0 ? parent.length() : slash;
            String prefix = parent.substring(0, end);
            from = end + 1;
            if (knownDirs.contains(prefix)) {
                continue;
            }
            Path p = root.resolve(prefix);
            BasicFileAttributes a = attributes(p);
            if (a == null) {
                Files.createDirectory(p);
                Files.setAttribute(p, "unix:mode", DEFAULT_DIR_MODE, NOFOLLOW);
            } else if (a.isSymbolicLink()) {
                throw new RootfsException(source + ": entry " + Names.shown(rel) + " would be written through the"
                        + " symlink " + Names.shown(prefix) + " an earlier entry made; sandlot refuses archives"
                        + " that write below a symlink");
            } else if (!a.isDirectory()) {
                throw new RootfsException(source + ": entry " + Names.shown(rel) + " lies below "
                        + Names.shown(prefix) + ", which is not a directory");
            }
            knownDirs.add(prefix);
        }
    }

    /**
     * The directory holding {@code rel} when every directory on the way exists for real; null when
     * one is missing or not a directory; an error when one is a symlink.
     */
    private Path existingParent(String rel, String what) throws RootfsException, IOException {
        return existingDir(Names.parent(rel), what);
    }

    private Path existingDir(String dirRel, String what) throws RootfsException, IOException {
        if (dirRel.isEmpty()) {
            return root;
        }
        if (knownDirs.contains(dirRel)) {
            return root.resolve(dirRel);
        }
        Path p = root;
        for (String part : dirRel.split("/")) {
            p = p.resolve(part);
            BasicFileAttributes a = attributes(p);
            if (a == null || !a.isSymbolicLink() && !a.isDirectory()) {
                return null;
            }
            if (a.isSymbolicLink()) {
                throw new RootfsException(source + ": " + what + " goes through the symlink "
                        + Names.shown(root.relativize(p).toString()) + "; sandlot refuses archives that reach below a symlink");
            }
        }
        return p;
    }

    /** Removes a file, symlink or whole directory (never following a symlink) and forgets what was under it. */
    private void remove(String rel, Path p, BasicFileAttributes a) throws IOException {
        if (a.isDirectory()) {
            deleteTree(p);
            knownDirs.clear();
            dirMeta.subMap(rel + "/", rel + "0").clear(); // '0' sorts right after '/'
            dirMeta.remove(rel);
        } else {
            Files.delete(p);
        }
    }

    /** Deletes a tree without following symlinks; "already gone" is fine. */
    static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top, NOFOLLOW)) {
            return;
        }
        Files.walkFileTree(top, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                // A directory we cannot list (mode 0 as non-root): make it listable, then retry once.
                Files.setAttribute(file, "unix:mode", 0700, NOFOLLOW);
                deleteTree(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Marks {@code rel} and its ancestors as made or touched by the current layer. */
    private void touched(String rel) {
        if (thisLayer == null) {
            return;
        }
        String p = rel;
        while (thisLayer.add(p) && !p.isEmpty()) {
            p = Names.parent(p);
        }
    }

    /** Applies directory owners, modes and mtimes, now that nothing is written into them any more. */
    void finish() throws RootfsException, IOException {
        if (!dirMeta.containsKey("")) {
            Files.setAttribute(root, "unix:mode", DEFAULT_DIR_MODE, NOFOLLOW);
        }
        for (var entry : dirMeta.descendingMap().entrySet()) {
            Path p = entry.getKey().isEmpty() ? root : root.resolve(entry.getKey());
            BasicFileAttributes a = attributes(p);
            if (a == null || !a.isDirectory()) {
                continue;
            }
            Meta m = entry.getValue();
            owner(p, m.uid(), m.gid(), entry.getKey());
            Files.setAttribute(p, "unix:mode", m.mode());
            times(p, m.mtime(), true);
        }
    }

    private Meta meta(TarArchiveEntry e) {
        return new Meta(e.getLongUserId(), e.getLongGroupId(), e.getMode() & 07777, e.getLastModifiedTime());
    }

    private void owner(Path p, TarArchiveEntry e) throws RootfsException, IOException {
        owner(p, e.getLongUserId(), e.getLongGroupId(), e.getName());
    }

    private void owner(Path p, long uid, long gid, String name) throws RootfsException, IOException {
        if (!sameOwner) {
            return;
        }
        if (uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID) {
            throw new RootfsException(source + ": entry " + Names.shown(name) + " has an owner out of range ("
                    + uid + ":" + gid + ")");
        }
        // Made by root in directories without the setgid bit (modes come at finish()): already 0:0.
        if (uid != 0) {
            Files.setAttribute(p, "unix:uid", (int) uid, NOFOLLOW);
        }
        if (gid != 0) {
            Files.setAttribute(p, "unix:gid", (int) gid, NOFOLLOW);
        }
    }

    /**
     * Sets the mtime from the archive and the atime to when unpacking began. Both are given so
     * that the JDK need not stat the file for the one left out.
     *
     * @param follow true for a file or directory made here (one syscall); false for a symlink
     */
    private void times(Path p, FileTime mtime, boolean follow) throws IOException {
        if (mtime != null) {
            BasicFileAttributeView view = follow ? Files.getFileAttributeView(p, BasicFileAttributeView.class)
                    : Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW);
            view.setTimes(mtime, started, null);
        }
    }

    private void count(long n) throws RootfsException {
        bytes += n;
        if (bytes > limits.maxBytes()) {
            throw tooLarge();
        }
    }

    private RootfsException tooLarge() {
        return new RootfsException(source + ": unpacks to more than " + limits.maxBytes() + " bytes; an archive"
                + " this large is refused (Limits.maxBytes)");
    }

    /** Reads what is left of the current entry (counted like content), so that the header guard sees headers only. */
    private void drain(InputStream in) throws RootfsException, IOException {
        int n;
        while ((n = in.read(buffer)) != -1) {
            count(n);
        }
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Refuses long-name, long-link and PAX header entries whose declared size exceeds the header
     * budget before commons-compress reads them into memory (it would, whatever their size).
     */
    private static final class GuardedTarInputStream extends TarArchiveInputStream {
        GuardedTarInputStream(InputStream in) {
            super(in, "UTF-8");
        }

        @Override
        protected byte[] readRecord() throws IOException {
            byte[] record = super.readRecord();
            if (record != null && !isEOFRecord(record)) {
                TarArchiveEntry header;
                try {
                    header = new TarArchiveEntry(record);
                } catch (RuntimeException e) {
                    return record; // a bad header: let the reader report it
                }
                if ((header.isGNULongNameEntry() || header.isGNULongLinkEntry() || header.isPaxHeader()
                        || header.isGlobalPaxHeader()) && header.getSize() > MAX_HEADER_BYTES) {
                    throw new HeaderTooLargeException();
                }
            }
            return record;
        }
    }

    /**
     * Caps the bytes the tar reader may consume while it reads one entry's headers (PAX records,
     * long names, a PAX 1.0 sparse map): entry content is read by the unpacker itself, outside the cap.
     */
    private static final class HeaderGuard extends FilterInputStream {
        private long remaining = -1;

        HeaderGuard(InputStream in) {
            super(in);
        }

        void limit(long n) {
            remaining = n;
        }

        void unlimited() {
            remaining = -1;
        }

        @Override
        public int read() throws IOException {
            if (remaining == 0) {
                throw new HeaderTooLargeException();
            }
            int b = super.read();
            if (b >= 0 && remaining > 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining == 0) {
                throw new HeaderTooLargeException();
            }
            int n = super.read(b, off, remaining > 0 ? (int) Math.min(len, remaining) : len);
            if (n > 0 && remaining > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            if (remaining == 0) {
                throw new HeaderTooLargeException();
            }
            long skipped = super.skip(remaining > 0 ? Math.min(n, remaining) : n);
            if (skipped > 0 && remaining > 0) {
                remaining -= skipped;
            }
            return skipped;
        }
    }

    private static final class HeaderTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        HeaderTooLargeException() {
            super("tar header data too large");
        }
    }
}
