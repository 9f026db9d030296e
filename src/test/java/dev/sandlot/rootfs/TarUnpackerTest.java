package dev.sandlot.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.sandlot.rootfs.TarUnpacker.Mode;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a tar stream unpacks to: faithful to tar as root, and OCI layer semantics in LAYER mode. */
class TarUnpackerTest {
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    @TempDir
    Path base;
    Path tree;
    TarUnpacker unpacker;

    @BeforeEach
    void tree() throws Exception {
        tree = Files.createDirectory(base.resolve("tree"));
        unpacker = new TarUnpacker(tree, Limits.DEFAULT, ROOT);
    }

    private void unpack(byte[] tar, Mode mode) throws Exception {
        unpacker.apply(new ByteArrayInputStream(tar), mode, "test.tar");
    }

    private void unpackAll(Mode mode, byte[]... layers) throws Exception {
        for (byte[] layer : layers) {
            unpack(layer, mode);
        }
        unpacker.finish();
    }

    private static int mode(Path p) throws Exception {
        return (int) Files.getAttribute(p, "unix:mode", NOFOLLOW) & 07777;
    }

    private static int uid(Path p) throws Exception {
        return (int) Files.getAttribute(p, "unix:uid", NOFOLLOW);
    }

    private static int gid(Path p) throws Exception {
        return (int) Files.getAttribute(p, "unix:gid", NOFOLLOW);
    }

    private String[] list(String rel) throws Exception {
        try (Stream<Path> s = Files.list(tree.resolve(rel))) {
            return s.map(p -> p.getFileName().toString()).sorted().toArray(String[]::new);
        }
    }

    @Test
    void ownersModesSetuidBitsAndMtimesAreKept() throws Exception {
        assumeTrue(ROOT, "owners are kept only as root, like tar");
        unpackAll(Mode.ARCHIVE, new TarBuilder()
                .dir("app", 0750, 1000, 1001)
                .file("app/run", "#!/bin/sh\n", 04755, 1000, 1001)
                .file("app/group-tool", "x", 02711, 0, 42)
                .dir("tmp", 01777, 0, 0)
                .file("etc/shadow", "root:*:1::::::\n", 0640, 0, 42)
                .tar());

        assertThat(mode(tree.resolve("app"))).isEqualTo(0750);
        assertThat(uid(tree.resolve("app"))).isEqualTo(1000);
        assertThat(gid(tree.resolve("app"))).isEqualTo(1001);
        assertThat(mode(tree.resolve("app/run"))).isEqualTo(04755);
        assertThat(uid(tree.resolve("app/run"))).isEqualTo(1000);
        assertThat(mode(tree.resolve("app/group-tool"))).isEqualTo(02711);
        assertThat(gid(tree.resolve("app/group-tool"))).isEqualTo(42);
        assertThat(mode(tree.resolve("tmp"))).isEqualTo(01777);
        assertThat(mode(tree.resolve("etc/shadow"))).isEqualTo(0640);
        assertThat(tree.resolve("etc/shadow")).hasContent("root:*:1::::::");
        for (String p : new String[] {"app", "app/run", "tmp", "etc/shadow"}) {
            assertThat(Files.getLastModifiedTime(tree.resolve(p), NOFOLLOW)).as(p).isEqualTo(TarBuilder.MTIME);
        }
        // A parent no entry names is made like tar makes it.
        assertThat(mode(tree.resolve("etc"))).isEqualTo(0755);
        assertThat(uid(tree.resolve("etc"))).isZero();
    }

    @Test
    void symlinksAreKeptAsWrittenWithTheirOwnOwnerAndMtime() throws Exception {
        TarArchiveEntry owned = TarBuilder.entry("bin/owned", TarConstants.LF_SYMLINK);
        owned.setLinkName("busybox");
        owned.setUserId(7);
        owned.setGroupId(8);
        unpackAll(Mode.ARCHIVE, new TarBuilder()
                .file("bin/busybox", "elf", 0755, 0, 0)
                .symlink("bin/sh", "busybox")
                .symlink("etc/mtab", "/proc/self/mounts")
                .symlink("dangling", "../../nowhere")
                .add(owned, new byte[0])
                .tar());

        assertThat(Files.readSymbolicLink(tree.resolve("bin/sh"))).hasToString("busybox");
        assertThat(Files.readSymbolicLink(tree.resolve("etc/mtab"))).hasToString("/proc/self/mounts");
        assertThat(Files.readSymbolicLink(tree.resolve("dangling"))).hasToString("../../nowhere");
        assertThat(Files.getLastModifiedTime(tree.resolve("bin/sh"), NOFOLLOW)).isEqualTo(TarBuilder.MTIME);
        if (ROOT) {
            assertThat(uid(tree.resolve("bin/owned"))).isEqualTo(7);
            assertThat(gid(tree.resolve("bin/owned"))).isEqualTo(8);
        }
    }

    @Test
    void hardLinksShareOneInode() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder()
                .file("usr/bin/perl5.36", "perl", 0755, 0, 0)
                .hardLink("usr/bin/perl", "usr/bin/perl5.36")
                .hardLink("./usr/bin/perl-again", "./usr/bin/perl5.36")
                .tar());

        Path a = tree.resolve("usr/bin/perl5.36");
        assertThat(Files.isSameFile(a, tree.resolve("usr/bin/perl"))).isTrue();
        assertThat(Files.isSameFile(a, tree.resolve("usr/bin/perl-again"))).isTrue();
        assertThat((int) Files.getAttribute(a, "unix:nlink")).isEqualTo(3);
    }

    @Test
    void emptyDirectoriesAreKept() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder().dir("proc").dir("var/empty", 0711, 0, 0).file("x", "").tar());

        assertThat(tree.resolve("proc")).isEmptyDirectory();
        assertThat(tree.resolve("var/empty")).isEmptyDirectory();
        assertThat(mode(tree.resolve("var/empty"))).isEqualTo(0711);
        assertThat(tree.resolve("x")).isEmptyFile();
    }

    @Test
    void deviceNodesAndFifosAreSkippedAndListed() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder()
                .dir("dev")
                .device("dev/null")
                .device("dev/zero")
                .fifo("run/initctl")
                .file("etc/hostname", "box\n")
                .tar());

        assertThat(tree.resolve("dev")).isEmptyDirectory();
        assertThat(tree.resolve("run/initctl")).doesNotExist();
        assertThat(tree.resolve("etc/hostname")).hasContent("box");
        assertThat(unpacker.skippedSummary()).isEqualTo(
                "3 entries skipped (device 'dev/null', device 'dev/zero', FIFO 'run/initctl')");
    }

    @Test
    void nothingSkippedMeansNoSummary() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder().file("a", "1").tar());

        assertThat(unpacker.skippedSummary()).isNull();
        assertThat(unpacker.entries()).isEqualTo(1);
        assertThat(unpacker.bytes()).isEqualTo(1);
    }

    @Test
    void laterEntriesReplaceEarlierOnesWithoutFollowingThem() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder()
                .file("x", "file first")
                .dir("x")
                .file("x/y", "then a directory")
                .symlink("l", "/etc/passwd")
                .file("l", "a file over a symlink")
                .dir("d")
                .file("d/child", "gone with its directory")
                .file("d", "a file over a directory")
                .tar());

        assertThat(tree.resolve("x/y")).hasContent("then a directory");
        assertThat(Files.isSymbolicLink(tree.resolve("l"))).isFalse();
        assertThat(tree.resolve("l")).hasContent("a file over a symlink");
        assertThat(tree.resolve("d")).isRegularFile().hasContent("a file over a directory");
    }

    @Test
    void aDirectoryOverADirectoryMergesAndTakesTheLaterMode() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder()
                .dir("a", 0755, 0, 0)
                .file("a/1", "one")
                .dir("a", 0700, 0, 0)
                .file("a/2", "two")
                .tar());

        assertThat(list("a")).containsExactly("1", "2");
        assertThat(mode(tree.resolve("a"))).isEqualTo(0700);
    }

    @Test
    void readOnlyDirectoriesAreFilledFirstAndLockedAtTheEnd() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder()
                .dir("ro", 0555, 0, 0)
                .file("ro/inside", "written before the mode is applied")
                .tar());

        assertThat(tree.resolve("ro/inside")).exists();
        assertThat(mode(tree.resolve("ro"))).isEqualTo(0555);
        assertThat(Files.getLastModifiedTime(tree.resolve("ro"))).isEqualTo(TarBuilder.MTIME);
    }

    @Test
    void theRootEntryGivesTheTreeItsModeAndWithoutOneItIs0755() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder().dir("./", 0750, 0, 0).file("./a", "x").tar());
        assertThat(mode(tree)).isEqualTo(0750);

        Path other = Files.createDirectory(base.resolve("other"));
        Files.setAttribute(other, "unix:mode", 0700);
        TarUnpacker second = new TarUnpacker(other, Limits.DEFAULT, ROOT);
        second.apply(new ByteArrayInputStream(new TarBuilder().file("a", "x").tar()), Mode.ARCHIVE, "t");
        second.finish();
        assertThat(mode(other)).isEqualTo(0755);
    }

    @Test
    void aWhiteoutRemovesAFileOrDirectoryOfALowerLayer() throws Exception {
        unpackAll(Mode.LAYER,
                new TarBuilder().file("a/keep", "k").file("a/gone", "g").file("d/sub/x", "x").symlink("s", "/etc").tar(),
                new TarBuilder().file("a/.wh.gone", "").file(".wh.d", "").file(".wh.s", "").tar());

        assertThat(list("a")).containsExactly("keep");
        assertThat(tree.resolve("d")).doesNotExist();
        assertThat(Files.exists(tree.resolve("s"), NOFOLLOW)).isFalse();
        assertThat(list("")).containsExactly("a");
    }

    @Test
    void anOpaqueDirectoryHidesLowerContentButKeepsWhatItsOwnLayerAdds() throws Exception {
        unpackAll(Mode.LAYER,
                new TarBuilder().file("o/old", "1").file("o/sub/old2", "2").file("o/sub/old3", "3").file("keep", "k").tar(),
                // The marker comes after one of its layer's own entries and before another.
                new TarBuilder().file("o/new", "n").file("o/.wh..wh..opq", "").file("o/sub/new2", "n2").tar());

        assertThat(list("o")).containsExactly("new", "sub");
        assertThat(list("o/sub")).containsExactly("new2");
        assertThat(tree.resolve("keep")).exists();
    }

    @Test
    void aWhiteoutNeverRemovesAFileOfItsOwnLayer() throws Exception {
        unpackAll(Mode.LAYER, new TarBuilder().file("x", "lower").tar(),
                new TarBuilder().file("x", "upper").file(".wh.x", "").tar());

        assertThat(tree.resolve("x")).hasContent("upper");
    }

    @Test
    void aWhiteoutForSomethingAbsentIsNothing() throws Exception {
        unpackAll(Mode.LAYER, new TarBuilder().file("a", "1").tar(),
                new TarBuilder().file("missing/.wh.x", "").file(".wh.nothing", "").file("no/.wh..wh..opq", "").tar());

        assertThat(list("")).containsExactly("a");
    }

    @Test
    void aufsMetadataIsIgnored() throws Exception {
        unpackAll(Mode.LAYER, new TarBuilder().dir(".wh..wh.plnk").file(".wh..wh.plnk/1.2", "").file("a", "1").tar());

        assertThat(list("")).containsExactly("a");
    }

    @Test
    void inAPlainArchiveWhiteoutNamesAreOrdinaryFiles() throws Exception {
        unpackAll(Mode.ARCHIVE, new TarBuilder().file("a", "1").file(".wh.a", "").tar());

        assertThat(list("")).containsExactly(".wh.a", "a");
    }

    @Test
    void gnuLongNamesAndPaxNamesAreRead() throws Exception {
        String deep = "d/".repeat(60) + "file-with-a-long-name";
        unpackAll(Mode.ARCHIVE, new TarBuilder(org.apache.commons.compress.archivers.tar.TarArchiveOutputStream.LONGFILE_GNU)
                .file(deep, "gnu").tar());
        assertThat(tree.resolve(deep)).hasContent("gnu");

        Path other = Files.createDirectory(base.resolve("pax"));
        TarUnpacker pax = new TarUnpacker(other, Limits.DEFAULT, ROOT);
        pax.apply(new ByteArrayInputStream(new TarBuilder().file(deep, "pax").file("caf\u00e9", "utf-8").tar()),
                Mode.ARCHIVE, "t");
        assertThat(other.resolve(deep)).hasContent("pax");
        assertThat(other.resolve("caf\u00e9")).hasContent("utf-8");
    }
}
