package dev.sandlot.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandlot.rootfs.TarUnpacker.Mode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives built to escape the tree or exhaust the host: each is refused with a clear error, and
 * nothing outside the tree changes. A folder {@code outside}, next to the tree, holds a secret
 * that every test checks afterwards.
 */
class MaliciousArchiveTest {
    private static final String SECRET = "root:$6$secret:19000:0:99999:7:::";

    @TempDir
    Path base;
    Path tree;
    Path outside;
    Path secret;

    @BeforeEach
    void layout() throws IOException {
        tree = Files.createDirectory(base.resolve("tree"));
        outside = Files.createDirectory(base.resolve("outside"));
        secret = Files.writeString(outside.resolve("secret"), SECRET);
    }

    /** The invariant of every test here: the world outside the tree is as it was. */
    @AfterEach
    void nothingOutsideChanged() throws IOException {
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("secret");
        }
        assertThat(secret).hasContent(SECRET);
        assertThat((int) Files.getAttribute(secret, "unix:nlink")).as("no hard link to the secret").isEqualTo(1);
        try (Stream<Path> s = Files.list(base)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("outside", "tree");
        }
    }

    private RootfsException refused(Limits limits, Mode mode, byte[]... layers) {
        TarUnpacker unpacker = new TarUnpacker(tree, limits, TarUnpackerTest.ROOT);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> {
            for (byte[] layer : layers) {
                unpacker.apply(new ByteArrayInputStream(layer), mode, "evil.tar");
            }
            unpacker.finish();
        });
        assertThat(thrown).isInstanceOf(RootfsException.class);
        assertThat(thrown.getMessage()).startsWith("evil.tar: ").doesNotContain(SECRET);
        return (RootfsException) thrown;
    }

    private RootfsException refused(byte[]... archive) {
        return refused(Limits.DEFAULT, Mode.ARCHIVE, archive);
    }

    @Test
    void anAbsoluteNameIsRefused() {
        assertThat(refused(new TarBuilder().file(outside.resolve("pwned").toString(), "x").tar()))
                .hasMessageContaining("has an absolute path");
    }

    @Test
    void dotDotIsRefusedWhereverItIs() {
        assertThat(refused(new TarBuilder().file("../outside/pwned", "x").tar())).hasMessageContaining("'..'");
        assertThat(refused(new TarBuilder().file("a/../../outside/pwned", "x").tar())).hasMessageContaining("'..'");
        assertThat(refused(new TarBuilder().dir("../outside/newdir").tar())).hasMessageContaining("'..'");
    }

    @Test
    void writingThroughASymlinkAnEarlierEntryMadeIsRefused() {
        assertThat(refused(new TarBuilder().symlink("link", outside.toString()).file("link/pwned", "x").tar()))
                .hasMessageContaining("would be written through the symlink 'link'");
        assertThat(refused(new TarBuilder().symlink("etc", "../outside").file("etc/secret", "overwritten").tar()))
                .hasMessageContaining("symlink 'etc'");
        assertThat(refused(new TarBuilder().symlink("d", outside.toString()).dir("d/sub").tar()))
                .hasMessageContaining("symlink 'd'");
    }

    @Test
    void aSymlinkToItsOwnFolderCannotBeClimbed() {
        assertThat(refused(new TarBuilder().symlink("a", ".").file("a/a/a/x", "x").tar()))
                .hasMessageContaining("symlink 'a'");
    }

    @Test
    void aSymlinkIsReplacedNotFollowedWhenAnEntryTakesItsName() throws Exception {
        // Not refused (tar semantics), but nothing goes through the link: see nothingOutsideChanged.
        TarUnpacker unpacker = new TarUnpacker(tree, Limits.DEFAULT, TarUnpackerTest.ROOT);
        unpacker.apply(new ByteArrayInputStream(new TarBuilder()
                .symlink("f", secret.toString()).file("f", "overwritten?")
                .symlink("d", outside.toString()).dir("d").file("d/inside", "in the tree")
                .tar()), Mode.ARCHIVE, "t");
        unpacker.finish();
        assertThat(tree.resolve("f")).isRegularFile().hasContent("overwritten?");
        assertThat(Files.isSymbolicLink(tree.resolve("d"))).isFalse();
        assertThat(tree.resolve("d/inside")).hasContent("in the tree");
    }

    @Test
    void aHardLinkToAnAbsolutePathOrUpAndOutIsRefused() {
        assertThat(refused(new TarBuilder().hardLink("h", secret.toString()).tar()))
                .hasMessageContaining("has an absolute path");
        assertThat(refused(new TarBuilder().hardLink("h", "../outside/secret").tar())).hasMessageContaining("'..'");
    }

    @Test
    void aHardLinkThroughASymlinkIsRefused() {
        assertThat(refused(new TarBuilder().symlink("l", outside.toString()).hardLink("h", "l/secret").tar()))
                .hasMessageContaining("goes through the symlink 'l'");
    }

    @Test
    void aHardLinkToSomethingNotYetInTheTreeIsRefused() {
        assertThat(refused(new TarBuilder().hardLink("h", "nowhere").tar()))
                .hasMessageContaining("not in the archive before it");
        assertThat(refused(new TarBuilder().dir("d").hardLink("h", "d").tar())).hasMessageContaining("a directory");
    }

    @Test
    void aHardLinkToAnEscapingSymlinkLinksTheSymlinkNotItsTarget() throws Exception {
        TarUnpacker unpacker = new TarUnpacker(tree, Limits.DEFAULT, TarUnpackerTest.ROOT);
        unpacker.apply(new ByteArrayInputStream(new TarBuilder()
                .symlink("l", secret.toString()).hardLink("h", "l").tar()), Mode.ARCHIVE, "t");
        assertThat(Files.isSymbolicLink(tree.resolve("h"))).isTrue();
        assertThat(Files.readSymbolicLink(tree.resolve("h"))).isEqualTo(secret);
    }

    @Test
    void aWhiteoutThroughASymlinkIsRefused() {
        assertThat(refused(Limits.DEFAULT, Mode.LAYER,
                new TarBuilder().symlink("l", outside.toString()).tar(),
                new TarBuilder().file("l/.wh.secret", "").tar()))
                .hasMessageContaining("whiteout 'l/.wh.secret' goes through the symlink 'l'");
    }

    @Test
    void anOpaqueMarkerThroughASymlinkIsRefused() {
        assertThat(refused(Limits.DEFAULT, Mode.LAYER,
                new TarBuilder().symlink("l", outside.toString()).tar(),
                new TarBuilder().file("l/.wh..wh..opq", "").tar()))
                .hasMessageContaining("goes through the symlink 'l'");
    }

    @Test
    void aWhiteoutNamingNothingIsRefused() {
        assertThat(refused(Limits.DEFAULT, Mode.LAYER, new TarBuilder().file("a/.wh...", "").tar()))
                .hasMessageContaining("names no file");
    }

    @Test
    void moreContentThanTheLimitIsRefused() {
        Limits small = new Limits(1 << 20, 1000, 1 << 20, 4096, 1 << 20);
        // Declared up front: refused before a byte is written.
        TarArchiveEntry big = TarBuilder.entry("big", TarConstants.LF_NORMAL);
        byte[] twoMegabytes = new byte[2 << 20];
        assertThat(refused(small, Mode.ARCHIVE, new TarBuilder().add(big, twoMegabytes).tar()))
                .hasMessageContaining("unpacks to more than 1048576 bytes");
        // Many files, each small: refused once the total passes the limit.
        TarBuilder many = new TarBuilder();
        for (int i = 0; i < 20; i++) {
            many.add(TarBuilder.entry("f" + i, TarConstants.LF_NORMAL), new byte[100_000]);
        }
        assertThat(refused(small, Mode.ARCHIVE, many.tar())).hasMessageContaining("unpacks to more than");
    }

    @Test
    void aGzipBombIsRefusedFastWithoutInflatingItAll() throws Exception {
        // 8 GiB of zeros in one entry, about 8 MB gzip-compressed: refused at the 1 MiB limit.
        Limits small = new Limits(1 << 20, 1000, 1 << 20, 4096, 1 << 20);
        Path bomb = base.resolve("tree-bomb.tar.gz");
        try {
            writeZeroBomb(bomb, 8L << 30);
            long start = System.nanoTime();
            TarUnpacker unpacker = new TarUnpacker(tree, small, TarUnpackerTest.ROOT);
            try (InputStream in = RootfsStore.decompressed(new java.io.BufferedInputStream(Files.newInputStream(bomb)),
                    "evil.tar")) {
                assertThatThrownBy(() -> unpacker.apply(in, Mode.ARCHIVE, "evil.tar"))
                        .isInstanceOf(RootfsException.class)
                        .hasMessageContaining("unpacks to more than");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        } finally {
            Files.deleteIfExists(bomb);
        }
    }

    /** A tar.gz whose one entry claims {@code size} bytes of zeros, streamed (never held in memory). */
    private static void writeZeroBomb(Path file, long size) throws IOException {
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(file), 1 << 16))) {
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            TarArchiveEntry e = TarBuilder.entry("zeros", TarConstants.LF_NORMAL);
            e.setSize(size);
            out.putArchiveEntry(e);
            byte[] zeros = new byte[1 << 20];
            // Only the first 64 MiB are written: the unpacker must stop long before, at its limit.
            for (int i = 0; i < 64; i++) {
                out.write(zeros);
            }
        } catch (IOException expected) {
            // closing an entry short of its declared size fails; the bytes written are what matters
        }
    }

    @Test
    void moreEntriesThanTheLimitAreRefused() {
        Limits small = new Limits(1 << 20, 100, 1 << 20, 4096, 1 << 20);
        TarBuilder many = new TarBuilder();
        for (int i = 0; i < 101; i++) {
            many.dir("d" + i);
        }
        assertThat(refused(small, Mode.ARCHIVE, many.tar())).hasMessageContaining("more than 100 entries");
    }

    @Test
    void aHugeLongNameOrPaxHeaderIsRefusedBeforeItIsRead() {
        // commons-compress would read either into memory whole, whatever its declared size.
        assertThat(refused(metaEntry(TarConstants.LF_GNUTYPE_LONGNAME, (1 << 20) + 1)))
                .hasMessageContaining("header data of one entry");
        assertThat(refused(metaEntry(TarConstants.LF_GNUTYPE_LONGLINK, 1L << 40)))
                .hasMessageContaining("header data of one entry");
        assertThat(refused(metaEntry(TarConstants.LF_PAX_EXTENDED_HEADER_LC, (1 << 20) + 1)))
                .hasMessageContaining("header data of one entry");
        assertThat(refused(metaEntry(TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER, 1L << 33)))
                .hasMessageContaining("header data of one entry");
    }

    /** A long-name or PAX header entry declaring {@code size} bytes, then a little of them (hand-made: writers refuse). */
    private static byte[] metaEntry(byte type, long size) {
        TarArchiveEntry e = new TarArchiveEntry("././@LongLink", type, true);
        e.setSize(size);
        byte[] header = new byte[512];
        try {
            e.writeEntryHeader(header,
                    org.apache.commons.compress.archivers.zip.ZipEncodingHelper.getZipEncoding("UTF-8"), true);
        } catch (IOException x) {
            throw new java.io.UncheckedIOException(x);
        }
        byte[] out = new byte[512 + 64 * 512];
        System.arraycopy(header, 0, out, 0, 512);
        java.util.Arrays.fill(out, 512, out.length, (byte) 'n');
        return out;
    }

    @Test
    void aLongNameUnderTheHeaderLimitButOverPathMaxIsRefused() {
        assertThat(refused(new TarBuilder().file("n".repeat(5000), "x").tar()))
                .hasMessageContaining("longer than 4096 characters");
    }

    @Test
    void somethingThatIsNotATarIsRefused() {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        assertThat(refused(noise)).hasMessageContaining("not a valid tar archive");
        assertThat(refused(new byte[0])).hasMessageContaining("holds no tar entries");
    }

    @Test
    void aSparseFileIsRefused() {
        TarArchiveEntry sparse = TarBuilder.entry("sparse", TarConstants.LF_GNUTYPE_SPARSE);
        assertThat(refused(new TarBuilder().add(sparse, new byte[0]).tar())).hasMessageContaining("sparse");
    }

    @Test
    void theTreeHoldsOnlyWhatCameBeforeTheBadEntry() throws Exception {
        refused(new TarBuilder().file("fine", "1").file("../outside/pwned", "x").tar());
        try (Stream<Path> s = Files.list(tree)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).isEqualTo(List.of("fine"));
        }
        assertThat(Files.exists(base.resolve("pwned"), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }
}
