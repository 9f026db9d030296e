package dev.sandlot.rootfs;

import dev.sandlot.manifest.Image;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.source.DesiredState;
import dev.sandlot.state.AtomicFiles;
import dev.sandlot.state.StateStore;
import dev.sandlot.state.StoredSandbox;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Root filesystems by content: {@code rootfs.path} is used as it is; {@code rootfs.archive} and
 * {@code rootfs.image} are unpacked once per content digest (the sha256 of the archive file, the
 * digest of the image manifest) into {@code <state-dir>/rootfs/sha256-<hex>/}, shared read-only
 * by every sandbox naming the same content, and collected once no sandbox record names it.
 *
 * <pre>
 * STATE/rootfs/                         0700: trees keep setuid bits and may hold secrets
 * STATE/rootfs/sha256-HEX/              a complete tree (only ever made by a rename)
 * STATE/rootfs/.tmp-sha256-HEX-RANDOM/  an unpack in progress, or left by a crash (collected)
 * STATE/rootfs/.trash-sha256-HEX-RANDOM a tree being deleted (collected)
 * </pre>
 *
 * <p>Safe against concurrent use within one sandlot process (the run lock keeps others out): one
 * unpack per digest at a time, and a tree that a create is about to name in its record is pinned
 * ({@link ResolvedRootfs#release()}) so that {@link #collect(StateStore)} never takes it away.
 */
public final class RootfsStore {
    private static final Logger LOG = LoggerFactory.getLogger(RootfsStore.class);
    private static final ConcurrentMap<Path, RootfsStore> STORES = new ConcurrentHashMap<>();
    static final String TEMP_PREFIX = ".tmp-";
    static final String TRASH_PREFIX = ".trash-";
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private final Path dir;
    private final Limits limits;
    private final boolean sameOwner;
    /** digest → creates between resolve and their record; guarded by {@code this}. */
    private final Map<String, Integer> pins = new HashMap<>();
    private final Set<Path> inProgress = ConcurrentHashMap.newKeySet();
    private final Set<Path> deleting = ConcurrentHashMap.newKeySet();
    private final ConcurrentMap<String, Object> unpackLocks = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Cached> digestCache = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Object> digestLocks = new ConcurrentHashMap<>();

    private record Cached(List<Object> stat, String digest) {
    }

    @FunctionalInterface
    private interface Unpack {
        void into(TarUnpacker unpacker) throws RootfsException, IOException;
    }

    /** The store of a state dir, one per process (it holds the pins and locks for that dir). */
    public static RootfsStore at(Path stateDir) {
        return STORES.computeIfAbsent(stateDir.toAbsolutePath().normalize(),
                d -> new RootfsStore(d.resolve("rootfs"), Limits.DEFAULT, runningAsRoot()));
    }

    /**
     * @param dir       the folder holding the trees
     * @param sameOwner keep archive owners (true as root, like tar)
     */
    RootfsStore(Path dir, Limits limits, boolean sameOwner) {
        this.dir = dir;
        this.limits = limits;
        this.sameOwner = sameOwner;
    }

    public Path dir() {
        return dir;
    }

    /** Where the tree of this content digest lives (whether or not it exists). */
    public Path treeDir(String digest) {
        return dir.resolve(Digests.treeName(digest));
    }

    /**
     * The root filesystem of {@code rootfs}, unpacked if it is an archive or image whose content has
     * no tree yet. The caller must {@link ResolvedRootfs#release() release} it once a sandbox record
     * names its digest, or once it gave up.
     */
    public ResolvedRootfs resolve(Rootfs rootfs) throws RootfsException {
        if (rootfs.path() != null) {
            Path d = Path.of(rootfs.path());
            if (!Files.isDirectory(d)) {
                throw new RootfsException("rootfs.path " + d + " is not a directory on this host;"
                        + " create it (for example from busybox-static) or fix the manifest");
            }
            return new ResolvedRootfs(d, null, null, limits, () -> { });
        }
        if (rootfs.archive() != null) {
            return archive(Path.of(rootfs.archive()));
        }
        return image(rootfs.image());
    }

    /**
     * The digest the content {@code rootfs} names has now: the sha256 of the archive file, the digest
     * of the image manifest its ref names; null for a directory. Cached per file while its inode,
     * size, mtime and ctime stay the same, so a large archive is hashed once per change.
     */
    public String currentDigest(Rootfs rootfs) throws RootfsException {
        if (rootfs.path() != null) {
            return null;
        }
        try {
            if (rootfs.archive() != null) {
                Path archive = Path.of(rootfs.archive());
                return cached(archiveKey(archive), archive, () -> Digests.sha256(archive));
            }
            OciLayout layout = new OciLayout(Path.of(rootfs.image().layout()), limits);
            return cached("image\0" + layout.dir() + "\0" + rootfs.image().ref(), layout.indexFile(),
                    () -> layout.find(rootfs.image().ref()).digest());
        } catch (NoSuchFileException e) {
            throw new RootfsException(missing(rootfs, e));
        } catch (IOException e) {
            throw new RootfsException("cannot read " + source(rootfs) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The current content digest of every desired sandbox whose rootfs is an archive or image;
     * names whose digest cannot be found now (a missing file) are left out: the planner then keeps
     * what runs, and the next create reports the error.
     */
    public Map<String, String> currentDigests(DesiredState desired) {
        return currentDigests(desired, null);
    }

    /** {@link #currentDigests(DesiredState)} of one name only ({@code only}), or of all (null). */
    public Map<String, String> currentDigests(DesiredState desired, String only) {
        Map<String, String> digests = new HashMap<>();
        desired.sandboxes().forEach((name, d) -> {
            Rootfs rootfs = d.manifest().spec().rootfs();
            if (rootfs.path() != null || only != null && !only.equals(name)) {
                return;
            }
            try {
                String digest = currentDigest(rootfs);
                if (digest != null) {
                    digests.put(name, digest);
                }
            } catch (RootfsException e) {
                LOG.debug("[{}] rootfs digest unknown: {}", name, e.getMessage());
            }
        });
        return digests;
    }

    /**
     * Removes every tree no sandbox record names (and no create has pinned), and what crashed
     * unpacks left. Nothing is removed while any record is unreadable: its tree is unknown.
     *
     * @return how many trees were collected
     */
    public int collect(StateStore state) {
        if (!Files.isDirectory(dir, NOFOLLOW)) {
            return 0;
        }
        List<Path> doomed = new ArrayList<>();
        int trees = 0;
        synchronized (this) {
            Set<String> referenced = new HashSet<>();
            try {
                for (StoredSandbox s : state.loadAll()) {
                    if (s.record() == null) {
                        LOG.debug("not collecting rootfs trees: the record of {} is unreadable", s.id());
                        return 0;
                    }
                    if (s.record().rootfsDigest() != null) {
                        referenced.add(s.record().rootfsDigest());
                    }
                }
            } catch (IOException e) {
                LOG.warn("not collecting rootfs trees: cannot read the records: {}", e.getMessage());
                return 0;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    String name = child.getFileName().toString();
                    if (name.startsWith(TRASH_PREFIX) || name.startsWith(TEMP_PREFIX) && !inProgress.contains(child)) {
                        if (deleting.add(child)) {
                            doomed.add(child);
                        }
                        continue;
                    }
                    String digest = Digests.fromTreeName(name);
                    if (digest == null || referenced.contains(digest) || pins.containsKey(digest)) {
                        continue;
                    }
                    Path trash = dir.resolve(TRASH_PREFIX + name + "-" + randomSuffix());
                    Files.move(child, trash, StandardCopyOption.ATOMIC_MOVE);
                    deleting.add(trash);
                    doomed.add(trash);
                    trees++;
                    LOG.info("collecting rootfs tree {}: no sandbox uses it any more", name);
                }
            } catch (IOException e) {
                LOG.warn("cannot collect rootfs trees in {}: {}", dir, e.getMessage());
            }
        }
        for (Path p : doomed) {
            try {
                TarUnpacker.deleteTree(p);
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}; the next collection retries", p, e.getMessage());
            } finally {
                deleting.remove(p);
            }
        }
        return trees;
    }

    /**
     * An archive's tree. The archive is not hashed a second time while it is unpacked: its inode,
     * size, mtime and ctime must be what they were when it was hashed, before it is opened and
     * after it is read (any write changes the ctime), or the unpack fails and the next pass,
     * seeing a new digest, starts over.
     */
    private ResolvedRootfs archive(Path archive) throws RootfsException {
        String digest = currentDigest(Rootfs.archive(archive.toString()));
        Cached hashed = digestCache.get(archiveKey(archive));
        pin(digest);
        try {
            Path tree = ensureTree(digest, "archive " + archive, unpacker -> {
                try (InputStream file = Files.newInputStream(archive)) {
                    unchanged(archive, hashed, digest);
                    unpacker.apply(decompressed(new BufferedInputStream(file, 1 << 16), archive.toString()),
                            TarUnpacker.Mode.ARCHIVE, archive.toString());
                }
                unchanged(archive, hashed, digest);
            });
            return new ResolvedRootfs(tree, digest, null, limits, () -> unpin(digest));
        } catch (RootfsException | RuntimeException e) {
            unpin(digest);
            throw e;
        }
    }

    private static void unchanged(Path archive, Cached hashed, String digest) throws RootfsException, IOException {
        if (hashed == null || !hashed.digest().equals(digest) || !hashed.stat().equals(stat(archive))) {
            throw new RootfsException(archive + " changed while it was being read; the next pass unpacks the new"
                    + " content (replace archives by renaming a complete file over them)");
        }
    }

    private static String archiveKey(Path archive) {
        return "archive\0" + archive;
    }

    private ResolvedRootfs image(Image image) throws RootfsException {
        OciLayout layout = new OciLayout(Path.of(image.layout()), limits);
        OciLayout.Image found;
        try {
            found = layout.open(layout.find(image.ref()));
        } catch (NoSuchFileException e) {
            throw new RootfsException("image layout " + layout.dir() + ": " + e.getFile() + " is missing", e);
        } catch (IOException e) {
            throw new RootfsException("cannot read image layout " + layout.dir() + ": " + e.getMessage(), e);
        }
        String digest = found.digest();
        pin(digest);
        try {
            String what = "image " + layout.dir() + ":" + image.ref();
            Path tree = ensureTree(digest, what, unpacker -> {
                List<OciLayout.Descriptor> layers = found.layers();
                for (int i = 0; i < layers.size(); i++) {
                    String layer = "layer " + (i + 1) + " of " + layers.size() + " (" + layers.get(i).digest() + ") of "
                            + what;
                    try (VerifyingInputStream raw = layout.layer(layers.get(i), layer)) {
                        unpacker.apply(decompressed(new BufferedInputStream(raw, 1 << 16), layer),
                                TarUnpacker.Mode.LAYER, layer);
                        raw.drain();
                    } catch (NoSuchFileException e) {
                        throw new RootfsException(layer + " is missing from the layout", e);
                    } catch (ContentMismatchException e) {
                        throw new RootfsException(e.getMessage() + "; the layout is corrupt, copy the image again", e);
                    }
                }
            });
            return new ResolvedRootfs(tree, digest, found.config(), limits, () -> unpin(digest));
        } catch (RootfsException | RuntimeException e) {
            unpin(digest);
            throw e;
        }
    }

    /** The tree of {@code digest}, unpacked now into a temp dir and renamed into place if missing. */
    private Path ensureTree(String digest, String what, Unpack unpack) throws RootfsException {
        Path tree = treeDir(digest);
        synchronized (unpackLocks.computeIfAbsent(digest, k -> new Object())) {
            if (Files.isDirectory(tree, NOFOLLOW)) {
                return tree;
            }
            Path temp = dir.resolve(TEMP_PREFIX + tree.getFileName() + "-" + randomSuffix());
            inProgress.add(temp);
            long start = System.nanoTime();
            try {
                Files.createDirectories(dir);
                Files.setAttribute(dir, "unix:mode", 0700, NOFOLLOW);
                Files.createDirectory(temp);
                Files.setAttribute(temp, "unix:mode", 0700, NOFOLLOW);
                TarUnpacker unpacker = new TarUnpacker(temp, limits, sameOwner);
                unpack.into(unpacker);
                unpacker.finish();
                Syncfs.sync(temp);
                Files.move(temp, tree, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDirectory(dir);
                long millis = Math.max(1, (System.nanoTime() - start) / 1_000_000);
                LOG.info("unpacked {} ({}) into {}: {} entries, {} MB in {} ms ({} MB/s)", what, digest, tree,
                        unpacker.entries(), unpacker.bytes() >> 20, millis, (unpacker.bytes() >> 20) * 1000 / millis);
                if (unpacker.skippedSummary() != null) {
                    LOG.warn("{}: {}", what, unpacker.skippedSummary());
                }
                return tree;
            } catch (IOException e) {
                throw new RootfsException("cannot unpack " + what + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
            } finally {
                try {
                    TarUnpacker.deleteTree(temp);
                } catch (IOException e) {
                    LOG.warn("cannot remove {}: {}; the next collection retries", temp, e.getMessage());
                }
                inProgress.remove(temp);
            }
        }
    }

    /** A gzip stream (by its magic bytes, whatever the file name) decompressed; a plain tar as it is. */
    static InputStream decompressed(BufferedInputStream in, String what) throws RootfsException, IOException {
        in.mark(8);
        byte[] magic = in.readNBytes(6);
        in.reset();
        int b0 = magic.length > 0 ? magic[0] & 0xff : -1;
        int b1 = magic.length > 1 ? magic[1] & 0xff : -1;
        if (b0 == 0x1f && b1 == 0x8b) {
            return GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true).get();
        }
        if (b0 == 0x28 && b1 == 0xb5) {
            throw new RootfsException(what + " is zstd-compressed; sandlot reads plain or gzip tar archives");
        }
        if (b0 == 'B' && b1 == 'Z' || b0 == 0xfd && b1 == '7') {
            throw new RootfsException(what + " is bzip2- or xz-compressed; sandlot reads plain or gzip tar archives");
        }
        return in;
    }

    private synchronized void pin(String digest) {
        pins.merge(digest, 1, Integer::sum);
    }

    private synchronized void unpin(String digest) {
        pins.computeIfPresent(digest, (k, n) -> n <= 1 ? null : n - 1);
    }

    @FunctionalInterface
    private interface DigestSource {
        String digest() throws RootfsException, IOException;
    }

    /** One computation per key at a time: concurrent passes wait for the first instead of hashing again. */
    private String cached(String key, Path file, DigestSource compute) throws RootfsException, IOException {
        List<Object> before = stat(file);
        Cached hit = digestCache.get(key);
        if (hit != null && hit.stat().equals(before)) {
            return hit.digest();
        }
        synchronized (digestLocks.computeIfAbsent(key, k -> new Object())) {
            before = stat(file);
            hit = digestCache.get(key);
            if (hit != null && hit.stat().equals(before)) {
                return hit.digest();
            }
            String digest = compute.digest();
            if (before.equals(stat(file))) {
                digestCache.put(key, new Cached(before, digest));
            }
            return digest;
        }
    }

    private static List<Object> stat(Path file) throws IOException {
        Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
        return List.of(a.get("dev"), a.get("ino"), a.get("size"), a.get("lastModifiedTime"), a.get("ctime"));
    }

    private static String source(Rootfs rootfs) {
        return rootfs.archive() != null ? "rootfs.archive " + rootfs.archive()
                : "image layout " + rootfs.image().layout();
    }

    private static String missing(Rootfs rootfs, NoSuchFileException e) {
        if (rootfs.archive() != null) {
            return "rootfs.archive " + rootfs.archive() + " does not exist on this host; copy the archive there"
                    + " (for example: docker export $(docker create busybox) > " + rootfs.archive() + ")";
        }
        return "image layout " + rootfs.image().layout() + " is not on this host (" + e.getFile() + " is missing);"
                + " copy the image there (for example: skopeo copy docker://busybox oci:" + rootfs.image().layout()
                + ":" + rootfs.image().ref() + ")";
    }

    private static String randomSuffix() {
        return Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    private static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | RuntimeException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
