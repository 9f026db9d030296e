package dev.sandlot.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.Resources;
import dev.sandlot.manifest.RestartPolicy;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.manifest.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The record names the unpacked rootfs tree it runs on; records written before that field still load. */
class SandboxRecordRootfsDigestTest {
    private static final SandboxId WEB = new SandboxId("sandlot-web.0123abcd");
    private static final String DIGEST = "sha256:" + "c".repeat(64);

    @TempDir
    Path dir;
    StateStore store;

    @BeforeEach
    void store() throws Exception {
        store = new StateStore(dir);
        store.init();
    }

    private static SandboxSpec spec(Rootfs rootfs) {
        return new SandboxSpec(rootfs, new ProcessSpec(List.of("/bin/httpd"), "/", Map.of(), ProcessSpec.User.ROOT),
                "web", List.of(), List.of(), Resources.NONE, RestartPolicy.Always);
    }

    @Test
    void aRecordKeepsTheDigestOfItsTree() throws Exception {
        store.writeSandbox(new SandboxRecord(StateStore.FORMAT, WEB.value(), "web", "h", spec(Rootfs.archive("/srv/a.tar")),
                "web.yaml", Instant.EPOCH, "boot", DIGEST));

        assertThat(store.load(WEB).record().rootfsDigest()).isEqualTo(DIGEST);
        assertThat(Files.readString(store.sandboxDir(WEB).resolve("sandbox.json"))).contains("\"rootfsDigest\" : \"" + DIGEST);
    }

    @Test
    void aDirectoryRootfsRecordIsWrittenExactlyAsBefore() throws Exception {
        store.writeSandbox(new SandboxRecord(StateStore.FORMAT, WEB.value(), "web", "h", spec(Rootfs.directory("/srv/r")),
                "web.yaml", Instant.EPOCH, "boot"));

        assertThat(Files.readString(store.sandboxDir(WEB).resolve("sandbox.json"))).doesNotContain("rootfsDigest");
        assertThat(store.load(WEB).record().rootfsDigest()).isNull();
    }

    @Test
    void aRecordWrittenBeforeTheFieldLoadsWithoutDigest() throws Exception {
        store.writeSandbox(new SandboxRecord(StateStore.FORMAT, WEB.value(), "web", "h", spec(Rootfs.directory("/srv/r")),
                "web.yaml", Instant.EPOCH, "boot"));
        Path file = store.sandboxDir(WEB).resolve("sandbox.json");
        String old = Files.readString(file);
        assertThat(old).doesNotContain("rootfsDigest");

        SandboxRecord loaded = store.load(WEB).record();

        assertThat(loaded).isNotNull();
        assertThat(loaded.rootfsDigest()).isNull();
        assertThat(loaded.spec().rootfs().path()).isEqualTo("/srv/r");
    }
}
