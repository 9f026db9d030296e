package dev.sandlot.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandlot.manifest.Image;
import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.Resources;
import dev.sandlot.manifest.RestartPolicy;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.manifest.SandboxSpec;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trees by content digest: unpacked once, atomically, shared, pinned while a create needs them, collected after. */
class RootfsStoreTest {
    @TempDir
    Path base;
    Path stateDir;
    StateStore state;
    RootfsStore store;

    @BeforeEach
    void store() throws IOException {
        stateDir = base.resolve("state");
        state = new StateStore(stateDir);
        state.init();
        store = new RootfsStore(stateDir.resolve("rootfs"), Limits.DEFAULT, TarUnpackerTest.ROOT);
    }

    private Path archive(String name, byte[] content) throws IOException {
        return Files.write(base.resolve(name), content);
    }

    private static byte[] hello() {
        return new TarBuilder().dir("bin").file("bin/hello", "#!/bin/sh\necho hi\n", 0755, 0, 0)
                .symlink("bin/sh", "busybox").dir("etc").file("etc/passwd", "root:x:0:0::/root:/bin/sh\n").tar();
    }

    private static String sha256(byte[] data) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
    }

    private List<String> storeEntries() throws IOException {
        try (Stream<Path> s = Files.list(store.dir())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void record(String token, String digest) throws IOException {
        SandboxSpec spec = new SandboxSpec(Rootfs.archive("/srv/x.tar"),
                new ProcessSpec(List.of("/bin/hello"), "/", Map.of(), ProcessSpec.User.ROOT), "web", List.of(),
                List.of(), Resources.NONE, RestartPolicy.Always);
        state.writeSandbox(new SandboxRecord(StateStore.FORMAT, "sandlot-web." + token, "web", "hash", spec,
                "web.yaml", Instant.EPOCH, "boot", digest));
    }

    @Test
    void anArchiveIsUnpackedOnceIntoATreeNamedByItsDigestAndSharedByContent() throws Exception {
        byte[] tar = hello();
        Path first = archive("a.tar", tar);
        Path copy = archive("copy-of-a.tar", tar);

        ResolvedRootfs one = store.resolve(Rootfs.archive(first.toString()));
        Files.writeString(one.dir().resolve("marker"), "proves the second resolve did not unpack again");
        ResolvedRootfs two = store.resolve(Rootfs.archive(copy.toString()));

        assertThat(one.digest()).isEqualTo(sha256(tar));
        assertThat(one.dir()).isEqualTo(store.dir().resolve("sha256-" + sha256(tar).substring(7)));
        assertThat(two.dir()).isEqualTo(one.dir());
        assertThat(two.dir().resolve("marker")).exists();
        assertThat(one.dir().resolve("bin/hello")).hasContent("#!/bin/sh\necho hi");
        assertThat(one.imageConfig()).isNull();
        assertThat(storeEntries()).containsExactly(one.dir().getFileName().toString());
        assertThat((int) Files.getAttribute(store.dir(), "unix:mode") & 0777).isEqualTo(0700);
    }

    @Test
    void aGzipArchiveIsKnownByItsContentNotItsName() throws Exception {
        byte[] gz = TarBuilder.gzip(hello());
        ResolvedRootfs r = store.resolve(Rootfs.archive(archive("really-gzip.tar", gz).toString()));

        assertThat(r.digest()).isEqualTo(sha256(gz));
        assertThat(r.dir().resolve("etc/passwd")).exists();
    }

    @Test
    void aBadArchiveIsAnErrorThatLeavesNoTreeAndNoTempDir() throws Exception {
        Path evil = archive("evil.tar.gz", TarBuilder.gzip(new TarBuilder().file("ok", "1").file("../x", "2").tar()));

        assertThatThrownBy(() -> store.resolve(Rootfs.archive(evil.toString())))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining(evil.toString())
                .hasMessageContaining("climbs out with '..'");
        assertThat(storeEntries()).isEmpty();
        assertThat(base.resolve("x")).doesNotExist();
        assertThat(stateDir.resolve("x")).doesNotExist();
    }

    @Test
    void aMissingArchiveSaysWhereAndHow() {
        assertThatThrownBy(() -> store.resolve(Rootfs.archive(base.resolve("nope.tar").toString())))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("rootfs.archive " + base.resolve("nope.tar") + " does not exist on this host")
                .hasMessageContaining("docker export");
    }

    @Test
    void aMissingDirectoryRootfsIsAnError() {
        assertThatThrownBy(() -> store.resolve(Rootfs.directory(base.resolve("nope").toString())))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("is not a directory on this host");
    }

    @Test
    void aDirectoryRootfsIsUsedAsItIs() throws Exception {
        ResolvedRootfs r = store.resolve(Rootfs.directory(base.toString()));

        assertThat(r.dir()).isEqualTo(base);
        assertThat(r.digest()).isNull();
        assertThat(store.currentDigest(Rootfs.directory(base.toString()))).isNull();
    }

    @Test
    void theCurrentDigestFollowsTheArchiveContent() throws Exception {
        Path a = archive("app.tar", hello());
        String before = store.currentDigest(Rootfs.archive(a.toString()));
        assertThat(store.currentDigest(Rootfs.archive(a.toString()))).isEqualTo(before);

        byte[] changed = new TarBuilder().file("bin/hello", "v2").tar();
        Path next = archive("app.tar.new", changed);
        Files.move(next, a, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        assertThat(store.currentDigest(Rootfs.archive(a.toString()))).isEqualTo(sha256(changed)).isNotEqualTo(before);
    }

    @Test
    void collectionRemovesTreesNoRecordNamesAndWhatCrashedUnpacksLeft() throws Exception {
        ResolvedRootfs used = store.resolve(Rootfs.archive(archive("used.tar", hello()).toString()));
        ResolvedRootfs unused = store.resolve(Rootfs.archive(archive("unused.tar",
                new TarBuilder().file("x", "1").tar()).toString()));
        used.release();
        unused.release();
        record("0123abcd", used.digest());
        Files.createDirectories(store.dir().resolve(".tmp-sha256-" + "0".repeat(64) + "-1/some/file"));
        Files.createDirectories(store.dir().resolve(".trash-sha256-" + "1".repeat(64) + "-2/left"));
        Files.createDirectories(store.dir().resolve("not-a-tree"));

        assertThat(store.collect(state)).isEqualTo(1);

        assertThat(storeEntries()).containsExactly("not-a-tree", used.dir().getFileName().toString());
        assertThat(store.collect(state)).isZero();
    }

    @Test
    void aTreeIsNotCollectedWhileACreateHoldsItBeforeItsRecordIsWritten() throws Exception {
        ResolvedRootfs pinned = store.resolve(Rootfs.archive(archive("a.tar", hello()).toString()));

        assertThat(store.collect(state)).isZero();
        assertThat(pinned.dir()).isDirectory();

        pinned.release();
        pinned.release(); // idempotent
        assertThat(store.collect(state)).isEqualTo(1);
        assertThat(pinned.dir()).doesNotExist();
    }

    @Test
    void twoCreatesPinningOneTreeKeepItUntilBothRelease() throws Exception {
        Path a = archive("a.tar", hello());
        ResolvedRootfs one = store.resolve(Rootfs.archive(a.toString()));
        ResolvedRootfs two = store.resolve(Rootfs.archive(a.toString()));

        one.release();
        assertThat(store.collect(state)).isZero();
        two.release();
        assertThat(store.collect(state)).isEqualTo(1);
    }

    @Test
    void nothingIsCollectedWhileARecordIsUnreadable() throws Exception {
        ResolvedRootfs r = store.resolve(Rootfs.archive(archive("a.tar", hello()).toString()));
        r.release();
        Path broken = stateDir.resolve("sandboxes/sandlot-web.0123abcd");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("sandbox.json"), "{ truncated");

        assertThat(store.collect(state)).isZero();
        assertThat(r.dir()).isDirectory();
    }

    @Test
    void withoutAnyTreeCollectionIsNothing() {
        assertThat(store.collect(state)).isZero();
    }

    // ---- images ---------------------------------------------------------------------------------

    private OciLayoutBuilder twoLayerImage(Path layout) throws IOException {
        OciLayoutBuilder oci = new OciLayoutBuilder(layout);
        OciLayoutBuilder.Blob lower = oci.blob(OciLayoutBuilder.LAYER_GZIP, new TarBuilder()
                .dir("bin").file("bin/busybox", "elf", 0755, 0, 0).symlink("bin/sh", "busybox")
                .file("etc/passwd", "root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/app:/bin/sh\n")
                .file("etc/group", "root:x:0:\napp:x:1000:\nstaff:x:50:app\n")
                .file("etc/motd", "lower").file("www/old.html", "old").file("www/img/old.png", "png").tarGz());
        OciLayoutBuilder.Blob upper = oci.blob(OciLayoutBuilder.LAYER_TAR, new TarBuilder()
                .file("etc/.wh.motd", "").file("www/.wh..wh..opq", "").file("www/index.html", "upper").tar());
        OciLayoutBuilder.Blob manifest = oci.manifest(OciLayoutBuilder.config(
                "\"Entrypoint\": [\"/bin/sh\", \"-c\"]", "\"Cmd\": [\"exec httpd -f\"]",
                "\"Env\": [\"PATH=/usr/bin:/bin\", \"GREETING=image\"]", "\"WorkingDir\": \"/www/\"",
                "\"User\": \"app:staff\""), lower, upper);
        oci.tag("v1", manifest);
        return oci;
    }

    @Test
    void anImageIsItsLayersAppliedInOrderNamedByItsManifestDigest() throws Exception {
        OciLayoutBuilder oci = twoLayerImage(base.resolve("layout"));

        ResolvedRootfs r = store.resolve(Rootfs.image(new Image(oci.dir().toString(), "v1")));

        String manifestDigest = store.currentDigest(Rootfs.image(new Image(oci.dir().toString(), "v1")));
        assertThat(r.digest()).isEqualTo(manifestDigest);
        assertThat(r.dir().getFileName()).hasToString(manifestDigest.replace(':', '-'));
        assertThat(r.dir().resolve("etc/motd")).doesNotExist();
        assertThat(r.dir().resolve("etc/.wh.motd")).doesNotExist();
        try (Stream<Path> s = Files.list(r.dir().resolve("www"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("index.html");
        }
        assertThat(r.dir().resolve("bin/busybox")).hasContent("elf");
        assertThat(r.imageConfig()).isEqualTo(new ImageConfig(List.of("/bin/sh", "-c"), List.of("exec httpd -f"),
                List.of("PATH=/usr/bin:/bin", "GREETING=image"), "/www/", "app:staff"));
    }

    @Test
    void theImageConfigFillsInWhatTheManifestLeavesOpen() throws Exception {
        OciLayoutBuilder oci = twoLayerImage(base.resolve("layout"));
        ResolvedRootfs r = store.resolve(Rootfs.image(new Image(oci.dir().toString(), "v1")));
        SandboxSpec spec = new SandboxSpec(Rootfs.image(new Image(oci.dir().toString(), "v1")),
                new ProcessSpec(List.of(), null, Map.of("GREETING", "manifest"), null), "web", List.of(), List.of(),
                Resources.NONE, RestartPolicy.Always);

        ProcessSpec p = r.resolve(spec).process();

        assertThat(p.args()).containsExactly("/bin/sh", "-c", "exec httpd -f");
        assertThat(p.env()).containsExactlyInAnyOrderEntriesOf(Map.of("PATH", "/usr/bin:/bin", "GREETING", "manifest"));
        assertThat(p.cwd()).isEqualTo("/www");
        assertThat(p.user()).isEqualTo(new ProcessSpec.User(1000, 50));
        assertThat(r.resolve(spec).hostname()).isEqualTo("web");
    }

    @Test
    void aRefNotInTheLayoutListsTheRefsThatAre() throws Exception {
        OciLayoutBuilder oci = twoLayerImage(base.resolve("layout"));

        assertThatThrownBy(() -> store.resolve(Rootfs.image(new Image(oci.dir().toString(), "latest"))))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("no manifest with org.opencontainers.image.ref.name 'latest'")
                .hasMessageContaining("it has: 'v1'");
    }

    @Test
    void aCorruptLayerBlobIsRefusedAndLeavesNothing() throws Exception {
        OciLayoutBuilder oci = new OciLayoutBuilder(base.resolve("layout"));
        OciLayoutBuilder.Blob layer = oci.blob(OciLayoutBuilder.LAYER_TAR, new TarBuilder().file("a", "1").tar());
        oci.tag("v1", oci.manifest(OciLayoutBuilder.config("\"Cmd\": [\"/a\"]"), layer));
        Path blob = oci.dir().resolve("blobs/sha256/" + layer.digest().substring(7));
        byte[] bytes = Files.readAllBytes(blob);
        bytes[600] ^= 1; // inside the file's content: the tar still reads, the digest does not match
        Files.write(blob, bytes);

        assertThatThrownBy(() -> store.resolve(Rootfs.image(new Image(oci.dir().toString(), "v1"))))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("has digest")
                .hasMessageContaining("the layout is corrupt");
        assertThat(storeEntries()).isEmpty();
    }

    @Test
    void aMissingLayerBlobIsNamed() throws Exception {
        OciLayoutBuilder oci = new OciLayoutBuilder(base.resolve("layout"));
        OciLayoutBuilder.Blob layer = oci.blob(OciLayoutBuilder.LAYER_TAR, new TarBuilder().file("a", "1").tar());
        oci.tag("v1", oci.manifest(OciLayoutBuilder.config(), layer));
        Files.delete(oci.dir().resolve("blobs/sha256/" + layer.digest().substring(7)));

        assertThatThrownBy(() -> store.resolve(Rootfs.image(new Image(oci.dir().toString(), "v1"))))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("layer 1 of 1 (" + layer.digest() + ")")
                .hasMessageContaining("missing");
    }

    @Test
    void anImageIndexGivesThisHostsPlatform() throws Exception {
        OciLayoutBuilder oci = new OciLayoutBuilder(base.resolve("layout"));
        OciLayoutBuilder.Blob mine = oci.manifest(OciLayoutBuilder.config("\"Cmd\": [\"/mine\"]"),
                oci.blob(OciLayoutBuilder.LAYER_TAR, new TarBuilder().file("mine", "1").tar()));
        OciLayoutBuilder.Blob other = oci.manifest(OciLayoutBuilder.config("\"Cmd\": [\"/other\"]"),
                oci.blob(OciLayoutBuilder.LAYER_TAR, new TarBuilder().file("other", "1").tar()));
        String index = "{\"schemaVersion\": 2, \"mediaType\": \"" + OciLayoutBuilder.INDEX + "\", \"manifests\": ["
                + "{\"mediaType\": \"" + OciLayoutBuilder.MANIFEST + "\", \"digest\": \"" + other.digest() + "\", \"size\": "
                + other.size() + ", \"platform\": {\"os\": \"linux\", \"architecture\": \"s390x\"}},"
                + "{\"mediaType\": \"" + OciLayoutBuilder.MANIFEST + "\", \"digest\": \"" + mine.digest() + "\", \"size\": "
                + mine.size() + ", \"platform\": {\"os\": \"linux\", \"architecture\": \"" + OciLayout.hostArchitecture()
                + "\"}}]}";
        oci.tag("multi", oci.blob(OciLayoutBuilder.INDEX, index.getBytes(StandardCharsets.UTF_8)));

        ResolvedRootfs r = store.resolve(Rootfs.image(new Image(oci.dir().toString(), "multi")));

        assertThat(r.digest()).isEqualTo(mine.digest());
        assertThat(r.dir().resolve("mine")).exists();
        assertThat(r.imageConfig().cmd()).containsExactly("/mine");
    }

    @Test
    void zstdLayersAreRefusedWithTheFix() throws Exception {
        OciLayoutBuilder oci = new OciLayoutBuilder(base.resolve("layout"));
        OciLayoutBuilder.Blob layer = oci.blob("application/vnd.oci.image.layer.v1.tar+zstd", new byte[] {1});
        oci.tag("v1", oci.manifest(OciLayoutBuilder.config(), layer));

        assertThatThrownBy(() -> store.resolve(Rootfs.image(new Image(oci.dir().toString(), "v1"))))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("zstd-compressed")
                .hasMessageContaining("--dest-compress-format gzip");
    }

    @Test
    void anOversizedIndexIsRefusedWithoutReadingItAll() throws Exception {
        RootfsStore small = new RootfsStore(stateDir.resolve("rootfs"), new Limits(1 << 20, 1000, 4096, 4096, 4096),
                TarUnpackerTest.ROOT);
        OciLayoutBuilder oci = new OciLayoutBuilder(base.resolve("layout"));
        oci.rawIndex("{\"manifests\": [], \"padding\": \"" + "x".repeat(5000) + "\"}");

        assertThatThrownBy(() -> small.resolve(Rootfs.image(new Image(oci.dir().toString(), "v1"))))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("larger than 4096 bytes");
    }

    @Test
    void aFolderWithoutOciLayoutIsNotALayout() throws Exception {
        Path notLayout = Files.createDirectories(base.resolve("plain"));

        assertThatThrownBy(() -> store.resolve(Rootfs.image(new Image(notLayout.toString(), "v1"))))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("is not an OCI image layout");
        assertThatThrownBy(() -> store.currentDigest(Rootfs.image(new Image(base.resolve("gone").toString(), "v1"))))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("is not");
    }

    @Test
    void anImageForAnotherArchitectureIsRefused() throws Exception {
        OciLayoutBuilder oci = new OciLayoutBuilder(base.resolve("layout"));
        oci.tag("v1", oci.manifest("{\"architecture\": \"s390x\", \"os\": \"linux\", \"config\": {}}",
                oci.blob(OciLayoutBuilder.LAYER_TAR, new TarBuilder().file("a", "1").tar())));

        assertThatThrownBy(() -> store.resolve(Rootfs.image(new Image(oci.dir().toString(), "v1"))))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("the image is for 's390x'");
    }
}
