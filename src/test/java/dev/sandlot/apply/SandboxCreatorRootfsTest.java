package dev.sandlot.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.host.RunscContainer;
import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.manifest.ParseResult;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.plan.Action;
import dev.sandlot.plan.Planner;
import dev.sandlot.plan.SandboxPlan;
import dev.sandlot.rootfs.OciLayoutBuilder;
import dev.sandlot.rootfs.TarBuilder;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.StoredSandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating on an archive or image rootfs: the tree is unpacked before anything else is made, the
 * bundle runs on it with the resolved process, the record names its digest, sandboxes on the same
 * content share it, and it goes with the last of them.
 */
class SandboxCreatorRootfsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    FakeHost fake;
    Applier applier;

    @BeforeEach
    void host() throws IOException {
        fake = new FakeHost(dir);
        applier = new Applier(fake.host, 4, new SplittableRandom(3), Duration.ofSeconds(1));
    }

    private DesiredSandbox desired(String name, String rootfs, String process) {
        String yaml = """
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata: {name: %s}
                spec:
                  rootfs: %s
                  %s
                  networks: [mynet]
                """.formatted(name, rootfs, process);
        String file = dir.resolve("manifests/" + name + ".yaml").toString();
        ParseResult r = ManifestParser.parse(file, yaml.getBytes(StandardCharsets.UTF_8), List.of(dir));
        assertThat(r.errors()).isEmpty();
        return DesiredSandbox.of(r.manifests().get(0), file);
    }

    private Path archive() throws IOException {
        return Files.write(dir.resolve("app.tar.gz"), new TarBuilder().dir("bin")
                .file("bin/httpd", "elf", 0755, 0, 0).dir("var/www").file("var/www/index.html", "hi").tarGz());
    }

    private SandboxResult create(DesiredSandbox d) {
        return applier.applyOne(new SandboxPlan(d.name(), List.of(new Action.Create(d, "new"))));
    }

    private JsonNode config(SandboxId id) throws IOException {
        return JSON.readTree(fake.host.state().bundleDir(id).resolve("config.json").toFile());
    }

    private List<String> trees() throws IOException {
        Path store = fake.stateDir.resolve("rootfs");
        if (!Files.isDirectory(store)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(store)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private Incarnation observed(SandboxId id) throws IOException {
        StoredSandbox stored = fake.host.state().load(id);
        int pid = fake.pids.get(id.value());
        return new Incarnation(id, stored, new RunscContainer(id.value(), pid, "running",
                fake.host.state().bundleDir(id)), RuntimeState.RUNNING, true, List.of(), null, null);
    }

    @Test
    void anArchiveIsUnpackedAndTheBundleAndTheRecordNameItsTree() throws Exception {
        Path archive = archive();

        SandboxResult r = create(desired("web", "{archive: " + archive + "}",
                "process: {args: [/bin/httpd, -f], cwd: /var/www}"));

        assertThat(r.ok()).as(String.valueOf(r.error())).isTrue();
        String digest = fake.host.state().load(r.created()).record().rootfsDigest();
        assertThat(digest).startsWith("sha256:");
        Path tree = fake.stateDir.resolve("rootfs/" + digest.replace(':', '-'));
        assertThat(config(r.created()).path("root").path("path").asText()).isEqualTo(tree.toString());
        assertThat(config(r.created()).path("root").path("readonly").asBoolean()).isTrue();
        assertThat(tree.resolve("var/www/index.html")).hasContent("hi");
    }

    @Test
    void anImageFillsTheBundleProcessFromItsConfig() throws Exception {
        OciLayoutBuilder oci = new OciLayoutBuilder(dir.resolve("layout"));
        oci.tag("v1", oci.manifest(OciLayoutBuilder.config("\"Entrypoint\": [\"/bin/httpd\"]",
                "\"Cmd\": [\"-f\", \"-p\", \"8000\"]", "\"Env\": [\"PATH=/bin\", \"GREETING=image\", \"ONLY=image\"]",
                "\"WorkingDir\": \"/var/www\"", "\"User\": \"33:33\""),
                oci.blob(OciLayoutBuilder.LAYER_GZIP, new TarBuilder().file("bin/httpd", "elf", 0755, 0, 0).tarGz())));

        SandboxResult r = create(desired("web", "{image: {layout: " + oci.dir() + ", ref: v1}}",
                "process: {env: {GREETING: manifest}}"));

        assertThat(r.ok()).as(String.valueOf(r.error())).isTrue();
        JsonNode process = config(r.created()).path("process");
        assertThat(process.path("args").toString()).isEqualTo("[\"/bin/httpd\",\"-f\",\"-p\",\"8000\"]");
        assertThat(process.path("cwd").asText()).isEqualTo("/var/www");
        assertThat(process.path("user").path("uid").asInt()).isEqualTo(33);
        assertThat(process.path("user").path("gid").asInt()).isEqualTo(33);
        List<String> env = new ArrayList<>();
        process.path("env").forEach(e -> env.add(e.asText()));
        assertThat(env).contains("PATH=/bin", "GREETING=manifest", "ONLY=image");
        // The record keeps the manifest's spec (its hash is the manifest's), not the resolved one.
        assertThat(fake.host.state().load(r.created()).record().spec().process().args()).isEmpty();
    }

    @Test
    void aBadArchiveFailsAtStepRootfsBeforeAnythingIsMade() throws Exception {
        Path evil = Files.write(dir.resolve("evil.tar"), new TarBuilder().symlink("l", "/etc").file("l/x", "x").tar());

        SandboxResult r = create(desired("web", "{archive: " + evil + "}", "process: {args: [/bin/sh]}"));

        assertThat(r.ok()).isFalse();
        assertThat(r.failedStep()).isEqualTo("rootfs");
        assertThat(r.error()).contains(evil.toString()).contains("symlink 'l'");
        assertThat(fake.runner.requests()).isEmpty();
        assertThat(fake.host.state().loadAll()).isEmpty();
        assertThat(trees()).isEmpty();
    }

    @Test
    void twoSandboxesOnOneArchiveShareOneTreeWhichGoesWithTheLastOfThem() throws Exception {
        Path archive = archive();
        SandboxResult a = create(desired("a", "{archive: " + archive + "}", "process: {args: [/bin/httpd]}"));
        SandboxResult b = create(desired("b", "{archive: " + archive + "}", "process: {args: [/bin/httpd]}"));
        assertThat(trees()).hasSize(1);
        assertThat(config(a.created()).path("root")).isEqualTo(config(b.created()).path("root"));

        applier.applyOne(new SandboxPlan("a", List.of(new Action.Teardown(observed(a.created()), "no manifest"))));
        assertThat(trees()).hasSize(1);

        applier.applyOne(new SandboxPlan("b", List.of(new Action.Teardown(observed(b.created()), "no manifest"))));
        assertThat(trees()).isEmpty();
    }

    @Test
    void aReplaceOnNewContentIsNotCountedAsARestartAndKeepsOnlyTheNewTree() throws Exception {
        Path archive = archive();
        DesiredSandbox web = desired("web", "{archive: " + archive + "}", "process: {args: [/bin/httpd]}");
        SandboxResult first = create(web);
        Files.write(dir.resolve("next.tar"), new TarBuilder().file("bin/httpd", "v2", 0755, 0, 0).tar());
        Files.move(dir.resolve("next.tar"), archive, java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        SandboxResult second = applier.applyOne(new SandboxPlan("web", List.of(
                new Action.Teardown(observed(first.created()), Planner.ROOTFS_CHANGED),
                new Action.Create(web, Planner.ROOTFS_CHANGED))));

        assertThat(second.ok()).isTrue();
        assertThat(second.restart()).isFalse();
        String digest = fake.host.state().load(second.created()).record().rootfsDigest();
        assertThat(trees()).containsExactly(digest.replace(':', '-'));
    }
}
