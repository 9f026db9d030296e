package dev.sandlot.source;

import static dev.sandlot.source.SourceFixtures.manifest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.plan.Fixtures;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Last known good from sandlot's records: what one-shot commands and a starting daemon use. */
class LastKnownGoodTest {
    @TempDir
    Path dir;

    StateStore state;

    @BeforeEach
    void init() throws IOException {
        state = new StateStore(dir);
        state.init();
    }

    private void record(String id, String version, String file, String createdAt) throws IOException {
        SandboxId sid = new SandboxId(id);
        state.writeSandbox(new SandboxRecord(StateStore.FORMAT, id, sid.name(), manifest(sid.name(), version, file).specHash(),
                Fixtures.spec(sid.name(), version), file, Instant.parse(createdAt), "boot"));
    }

    @Test
    void eachRecordedSandboxIsLastGoodForItsNameAndFile() throws IOException {
        record("sandlot-web.00000001", "v1", "/m/a.yaml", "2026-11-27T10:00:00Z");
        record("sandlot-db.00000002", "v1", "/m/a.yaml", "2026-11-27T10:00:00Z");
        record("sandlot-cache.00000003", "v1", "/m/b.yaml", "2026-11-27T10:00:00Z");

        LastKnownGood last = LastKnownGood.fromRecords(state.loadAll());

        assertThat(last.byName()).containsOnlyKeys("cache", "db", "web");
        assertThat(last.byFile()).containsOnlyKeys("/m/a.yaml", "/m/b.yaml");
        assertThat(last.byFile().get("/m/a.yaml")).extracting(DesiredSandbox::name).containsExactlyInAnyOrder("web", "db");
        DesiredSandbox web = last.byName().get("web");
        assertThat(web.specHash()).as("the spec hash is the recorded one").isEqualTo(manifest("web", "v1", "x").specHash());
        assertThat(web.sourceFile()).isEqualTo("/m/a.yaml");
        assertThat(web.heldError()).isNull();
    }

    @Test
    void recordsWithoutARecordSpecOrSourceAreSkipped() throws IOException {
        record("sandlot-web.00000001", "v1", "/m/a.yaml", "2026-11-27T10:00:00Z");
        Files.createDirectories(state.sandboxDir(new SandboxId("sandlot-db.00000002")));
        Files.writeString(state.sandboxDir(new SandboxId("sandlot-db.00000002")).resolve("sandbox.json"), "{broken");
        state.writeSandbox(new SandboxRecord(StateStore.FORMAT, "sandlot-cache.00000003", "cache", "h",
                null, "/m/b.yaml", Instant.EPOCH, "boot"));
        state.writeSandbox(new SandboxRecord(StateStore.FORMAT, "sandlot-old.00000004", "old", "h",
                Fixtures.spec("old", "v1"), null, Instant.EPOCH, "boot"));

        LastKnownGood last = LastKnownGood.fromRecords(state.loadAll());

        assertThat(last.byName()).containsOnlyKeys("web");
    }

    @Test
    void aOneShotCommandKeepsTheRecordedSandboxOfAFileThatNoLongerParses() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("manifests"));
        Path file = folder.resolve("web.yaml");
        Files.writeString(file, "apiVersion: sandlot.dev/v1\nkind: Sandbox\nmetadata: {name: web\n");
        record("sandlot-web.00000001", "v1", file.toString(), "2026-11-27T10:00:00Z");

        DesiredState d = FolderSource.readOnce(folder, List.of(Path.of("/srv")), state.loadAll(), MountGuard.checkOnly(dir));

        assertThat(d.sandboxes()).containsOnlyKeys("web");
        assertThat(d.get("web").specHash()).isEqualTo(manifest("web", "v1", "x").specHash());
        assertThat(d.get("web").heldError()).contains(file.toString());
        assertThat(d.fileErrors()).containsOnlyKeys(file.toString());
    }

    @Test
    void aOneShotCommandDropsTheRecordedSandboxOfADeletedFile() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("manifests"));
        record("sandlot-web.00000001", "v1", folder.resolve("web.yaml").toString(), "2026-11-27T10:00:00Z");

        DesiredState d = FolderSource.readOnce(folder, List.of(Path.of("/srv")), state.loadAll(), MountGuard.checkOnly(dir));

        assertThat(d.sandboxes()).isEmpty();
    }

    @Test
    void theNewestRecordOfANameIsItsLastKnownGood() throws IOException {
        record("sandlot-web.00000000", "v1", "/m/web.yaml", "2026-11-27T10:00:00Z");
        record("sandlot-web.ffffffff", "v2", "/m/web.yaml", "2026-11-27T11:00:00Z");

        LastKnownGood last = LastKnownGood.fromRecords(state.loadAll());

        assertThat(last.byName().get("web").specHash()).isEqualTo(manifest("web", "v2", "x").specHash());
        assertThat(last.byFile().get("/m/web.yaml")).hasSize(1);
    }

    @Test
    void aMergedSnapshotIsLastGoodForEachOfItsFiles() {
        DesiredSandbox web = DesiredSandbox.of(manifest("web", "v1", "/m/a.yaml"), "/m/a.yaml");
        DesiredSandbox db = DesiredSandbox.of(manifest("db", "v1", "/m/b.yaml"), "/m/b.yaml");

        LastKnownGood last = LastKnownGood.from(new DesiredState(Map.of("web", web, "db", db), Map.of()));

        assertThat(last.byName()).containsOnlyKeys("db", "web");
        assertThat(last.byFile().get("/m/a.yaml")).containsExactly(web);
        assertThat(last.byFile().get("/m/b.yaml")).containsExactly(db);
    }
}
