package dev.sandlot.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.config.Settings;
import dev.sandlot.manifest.ManifestParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlacementsTest {
    @TempDir
    Path dir;

    private static String placed(String name, String placement) {
        return SourceFixtures.yaml(name, "v1") + (placement == null ? "" : "  placement: " + placement + "\n");
    }

    private static List<String> names(List<FileResult> files) {
        return files.stream().flatMap(f -> f.manifests().stream()).map(m -> m.name()).sorted().toList();
    }

    @Test
    void keepsSandboxesWithoutPlacementAndThosePlacedOnThisHostByNameOrLabels() {
        Placements here = new Placements("web-1", Map.of("role", "web", "zone", "a"));
        List<FileResult> files = List.of(
                SourceFixtures.parsed("/m/all.yaml", placed("everywhere", null)),
                SourceFixtures.parsed("/m/byname.yaml", placed("byname", "{hosts: [\"web-*\"]}")),
                SourceFixtures.parsed("/m/bylabel.yaml", placed("bylabel", "{hostLabels: {role: web}}")),
                SourceFixtures.parsed("/m/both.yaml", placed("both", "{hosts: [web-1], hostLabels: {zone: a}}")),
                SourceFixtures.parsed("/m/other.yaml", placed("other", "{hosts: [db-*]}")),
                SourceFixtures.parsed("/m/wronglabel.yaml", placed("wronglabel", "{hostLabels: {role: db}}")),
                SourceFixtures.parsed("/m/half.yaml", placed("half", "{hosts: [web-1], hostLabels: {zone: b}}")));

        assertThat(names(here.filter(files))).containsExactly("both", "bylabel", "byname", "everywhere");
    }

    @Test
    void aFileWhoseSandboxesAreAllElsewhereIsValidAndEmptyAndErrorsAreKept() {
        Placements here = new Placements("db-1", Map.of());
        FileResult elsewhere = SourceFixtures.parsed("/m/web.yaml", placed("web", "{hosts: [web-1]}"));
        FileResult broken = SourceFixtures.invalid("/m/broken.yaml", "/m/broken.yaml:1:1: bad");

        List<FileResult> out = here.filter(List.of(elsewhere, broken));

        assertThat(out.get(0).valid()).isTrue();
        assertThat(out.get(0).manifests()).isEmpty();
        assertThat(out.get(1)).isEqualTo(broken);
    }

    @Test
    void theSameNamePlacedOnTwoHostsIsNoConflictOnEither() {
        List<FileResult> files = List.of(
                SourceFixtures.parsed("/m/web-a.yaml", placed("web", "{hosts: [a]}")),
                SourceFixtures.parsed("/m/web-b.yaml", SourceFixtures.yaml("web", "other") + "  placement: {hosts: [b]}\n"));
        for (String host : List.of("a", "b")) {
            DesiredState state = SnapshotMerger.merge(new Placements(host, Map.of()).filter(files), Map.of(), Map.of());
            assertThat(state.fileErrors()).as(host).isEmpty();
            assertThat(state.get("web").sourceFile()).isEqualTo("/m/web-" + host + ".yaml");
        }
    }

    @Test
    void aSandboxThatRanHereAndIsNowPlacedElsewhereIsNoLongerDesired() {
        Placements here = new Placements("a", Map.of());
        DesiredStore store = new DesiredStore(new LastKnownGood(Map.of(), Map.of()));
        store.update(here.filter(List.of(SourceFixtures.parsed("/m/web.yaml", placed("web", "{hosts: [a]}")))));
        assertThat(store.current().get("web")).isNotNull();

        var changed = store.update(here.filter(List.of(SourceFixtures.parsed("/m/web.yaml", placed("web", "{hosts: [b]}")))));

        assertThat(changed).containsExactly("web");
        assertThat(store.current().get("web")).as("removed here").isNull();
    }

    @Test
    void theFolderSourceMadeBySourcesHonoursPlacementToo() throws Exception {
        Path manifests = Files.createDirectories(dir.resolve("manifests"));
        Files.writeString(manifests.resolve("here.yaml"), placed("here", "{hostLabels: {role: web}}"));
        Files.writeString(manifests.resolve("there.yaml"), placed("there", "{hostLabels: {role: db}}"));
        Settings d = Settings.defaults();
        Settings settings = new Settings(manifests, dir.resolve("state"), dir.resolve("run"), d.cniConfDir(),
                d.cniBinDirs(), d.runsc(), d.runscFlags(), d.mountAllowList(), d.netnsDir(), d.parallelism(),
                d.resyncInterval(), d.metricsAddress(), d.crashLoopInitial(), d.crashLoopMax(), d.crashLoopReset(),
                "any", Map.of("role", "web"), null, d.secretDirs(), d.logFormat());

        DesiredState state = Sources.readOnce(Sources.open(settings, false), List.of());

        assertThat(state.sandboxes().keySet()).containsExactly("here");
        assertThat(Sources.open(settings, false).status().kind()).isEqualTo("folder");
    }

    @Test
    void theDefaultHostNameIsTheKernelsAndThereAreNoLabels() throws Exception {
        assertThat(Settings.defaults().hostName())
                .isEqualTo(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim());
        assertThat(Settings.defaults().hostLabels()).isEmpty();
        assertThat(ManifestParser.DEFAULT_MOUNT_ALLOW_LIST).isNotEmpty();
    }
}
