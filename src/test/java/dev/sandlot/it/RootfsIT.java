package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.rootfs.OciLayoutBuilder;
import dev.sandlot.rootfs.ResolvedRootfs;
import dev.sandlot.rootfs.RootfsStore;
import dev.sandlot.rootfs.TarBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Root filesystems from tarballs and OCI image layouts on real runsc, CNI and netns (issue 8):
 * a {@code tar}-made archive of the busybox rootfs runs the hello server and unpacks to what
 * {@code tar -x --same-owner} makes; a two-layer image with a whiteout and an opaque directory
 * gives the expected tree and runs with its config's Cmd, Env and WorkingDir; two sandboxes on one
 * archive share one tree, collected when both are gone; new content at the same path replaces the
 * sandbox. Private bridge slrf0, subnet 10.230.0.0/24; everything under the test host's temp root.
 */
class RootfsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestHost host;
    private TestHost.Counts baseline;

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost("rootfs", "slrf0", 230);
        baseline = host.counts();
    }

    @AfterEach
    void tearDown() throws Exception {
        host.close();
    }

    private TestHost.Run apply() {
        TestHost.Run run = host.sandlot("apply");
        assertThat(run.exit()).as("apply output:\n" + run.out() + run.err()).isZero();
        return run;
    }

    private Map<String, JsonNode> status() throws Exception {
        TestHost.Run run = host.sandlot("status", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode row : JSON.readTree(run.out())) {
            byName.put(row.get("name").asText(), row);
        }
        return byName;
    }

    private void manifest(String name, String rootfs, String process) throws IOException {
        Files.writeString(host.manifests.resolve(name + ".yaml"), """
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata:
                  name: %s
                spec:
                  rootfs: %s
                  %s
                  networks: [%s]
                """.formatted(name, rootfs, process, host.network));
    }

    private static final String HTTPD = "process: {args: [/bin/httpd, -f, -p, \"8000\", -h, /var/www/html]}";

    /** A copy of the busybox rootfs with owners and modes worth keeping, as a source for archives. */
    private Path busyboxSource() throws Exception {
        Path src = host.root.resolve("src");
        TestHost.sh("cp", "-a", host.rootfs.toString(), src.toString());
        Files.writeString(src.resolve("var/www/html/owned.txt"), "owned\n");
        TestHost.sh("chown", "1234:5678", src.resolve("var/www/html/owned.txt").toString());
        TestHost.sh("chmod", "4750", src.resolve("var/www/html/owned.txt").toString());
        TestHost.sh("mkdir", "-m", "1777", src.resolve("var/tmp").toString());
        TestHost.sh("ln", src.resolve("bin/busybox").toString(), src.resolve("bin/busybox.hard").toString());
        return src;
    }

    private Path tar(Path src, String name) throws Exception {
        Path archive = host.root.resolve(name);
        String out = TestHost.sh("tar", "--numeric-owner", "-C", src.toString(), "-czf", archive.toString(), ".");
        assertThat(Files.size(archive)).as(out).isPositive();
        return archive;
    }

    private List<Path> trees() throws IOException {
        Path store = host.stateDir.resolve("rootfs");
        if (!Files.isDirectory(store)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(store)) {
            return s.filter(p -> p.getFileName().toString().startsWith("sha256-")).sorted().toList();
        }
    }

    private JsonNode bundle(String id) throws IOException {
        return JSON.readTree(host.stateDir.resolve("sandboxes").resolve(id).resolve("bundle/config.json").toFile());
    }

    private JsonNode record(String id) throws IOException {
        return JSON.readTree(host.stateDir.resolve("sandboxes").resolve(id).resolve("sandbox.json").toFile());
    }

    /** Every entry under {@code root}: path, type, mode, owner, size or link target, mtime. */
    private static List<String> describe(Path root) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted().toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String rel = root.relativize(p).toString();
                int mode = (int) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                String what = a.isSymbolicLink() ? "-> " + Files.readSymbolicLink(p)
                        : a.isDirectory() ? "dir" : "file " + a.size() + " nlink "
                        + Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
                lines.add(String.format("%s %s %o %s:%s %s", rel.isEmpty() ? "." : rel, what, mode,
                        Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                        Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS),
                        a.isSymbolicLink() ? "" : a.lastModifiedTime().toMillis() / 1000));
            }
        }
        return lines;
    }

    @Test
    void aTarMadeArchiveRunsTheHelloServer() throws Exception {
        Path archive = tar(busyboxSource(), "busybox.tar.gz");
        manifest("tarball", "{archive: " + archive + "}", HTTPD);

        apply();

        JsonNode row = status().get("tarball");
        assertThat(row.get("phase").asText()).isEqualTo("Running");
        assertThat(TestHost.httpGet(row.get("ip").asText())).isEqualTo("Hello World!\n");
        List<Path> trees = trees();
        assertThat(trees).hasSize(1);
        assertThat(bundle(row.get("id").asText()).path("root").path("path").asText()).isEqualTo(trees.get(0).toString());
        assertThat(record(row.get("id").asText()).path("rootfsDigest").asText())
                .isEqualTo(trees.get(0).getFileName().toString().replaceFirst("-", ":"));

    }

    @Test
    void anArchiveUnpacksToExactlyWhatTarMakesAsRoot() throws Exception {
        Path archive = tar(busyboxSource(), "busybox.tar.gz");
        // Compared before any sandbox runs on it: runsc creates missing mount points
        // (/etc/hosts, /etc/resolv.conf) in a read-only root it is given (docs/rootfs.md).
        ResolvedRootfs ours = RootfsStore.at(host.root.resolve("unpack-state")).resolve(Rootfs.archive(archive.toString()));
        ours.release();

        Path byTar = Files.createDirectory(host.root.resolve("by-tar"));
        TestHost.sh("tar", "--same-owner", "--numeric-owner", "-xzpf", archive.toString(), "-C", byTar.toString());
        assertThat(describe(ours.dir())).isEqualTo(describe(byTar));
        assertThat(describe(ours.dir()))
                .anyMatch(l -> l.startsWith("var/www/html/owned.txt file 6 nlink 1 4750 1234:5678"))
                .anyMatch(l -> l.startsWith("bin/busybox.hard file ") && l.contains(" nlink 2 755 0:0 "))
                .anyMatch(l -> l.startsWith("var/tmp dir 1777"));
    }

    @Test
    void aTwoLayerImageGivesTheExpectedTreeAndRunsWithItsConfig() throws Exception {
        Path src = busyboxSource();
        Files.writeString(src.resolve("var/www/html/old.html"), "hidden by the opaque directory\n");
        OciLayoutBuilder oci = new OciLayoutBuilder(host.root.resolve("layout"));
        OciLayoutBuilder.Blob lower = oci.layerFile(OciLayoutBuilder.LAYER_GZIP, tar(src, "layer1.tar.gz"));
        OciLayoutBuilder.Blob upper = oci.blob(OciLayoutBuilder.LAYER_TAR, new TarBuilder()
                .file("bin/.wh.false", "")
                .file("var/www/html/.wh..wh..opq", "")
                .file("var/www/html/index.html", "Hello from layer 2!\n")
                .tar());
        oci.tag("hello", oci.manifest(OciLayoutBuilder.config(
                "\"Cmd\": [\"/bin/httpd\", \"-f\", \"-p\", \"8000\", \"-h\", \"/var/www/html\"]",
                "\"Env\": [\"PATH=/bin\", \"GREETING=from-image\"]", "\"WorkingDir\": \"/var/www/html\""),
                lower, upper));
        manifest("image", "{image: {layout: " + oci.dir() + ", ref: hello}}", "process: {env: {EXTRA: manifest}}");

        apply();

        JsonNode row = status().get("image");
        assertThat(row.get("phase").asText()).as(row.toString()).isEqualTo("Running");
        assertThat(TestHost.httpGet(row.get("ip").asText())).isEqualTo("Hello from layer 2!\n");
        Path tree = trees().get(0);
        assertThat(Files.exists(tree.resolve("bin/false"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.isSymbolicLink(tree.resolve("bin/true"))).isTrue();
        try (Stream<Path> s = Files.list(tree.resolve("var/www/html"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("index.html");
        }
        assertThat(Files.exists(tree.resolve("bin/.wh.false"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        JsonNode process = bundle(row.get("id").asText()).path("process");
        assertThat(process.path("args").toString())
                .isEqualTo("[\"/bin/httpd\",\"-f\",\"-p\",\"8000\",\"-h\",\"/var/www/html\"]");
        assertThat(process.path("cwd").asText()).isEqualTo("/var/www/html");
        List<String> env = new ArrayList<>();
        process.path("env").forEach(e -> env.add(e.asText()));
        assertThat(env).contains("PATH=/bin", "GREETING=from-image", "EXTRA=manifest");
        // The running process sees the image env (busybox httpd serves nothing dynamic: ask runsc).
        String ps = TestHost.sh("runsc", "--root", host.runDir.resolve("runsc").toString(), "--network=host", "exec",
                row.get("id").asText(), "/bin/env");
        assertThat(ps).contains("GREETING=from-image").contains("EXTRA=manifest");
    }

    @Test
    void twoSandboxesOnOneArchiveShareOneTreeWhichIsCollectedAfterBoth() throws Exception {
        Path archive = tar(busyboxSource(), "shared.tar.gz");
        manifest("one", "{archive: " + archive + "}", HTTPD);
        manifest("two", "{archive: " + archive + "}", HTTPD);

        apply();

        Map<String, JsonNode> status = status();
        for (String name : List.of("one", "two")) {
            assertThat(status.get(name).get("phase").asText()).isEqualTo("Running");
            assertThat(TestHost.httpGet(status.get(name).get("ip").asText())).isEqualTo("Hello World!\n");
        }
        List<Path> trees = trees();
        assertThat(trees).hasSize(1);
        assertThat(bundle(status.get("one").get("id").asText()).path("root"))
                .isEqualTo(bundle(status.get("two").get("id").asText()).path("root"));

        Files.delete(host.manifests.resolve("one.yaml"));
        apply();
        assertThat(trees()).as("still used by two").isEqualTo(trees);

        Files.delete(host.manifests.resolve("two.yaml"));
        apply();
        assertThat(trees()).isEmpty();
        try (Stream<Path> s = Files.list(host.stateDir.resolve("rootfs"))) {
            assertThat(s.toList()).as("no temp or trash dirs left").isEmpty();
        }
        assertThat(host.counts()).isEqualTo(baseline);
    }

    @Test
    void newContentAtTheSameArchivePathReplacesTheSandboxAndItsOldTreeGoes() throws Exception {
        Path src = busyboxSource();
        Path archive = tar(src, "app.tar.gz");
        manifest("app", "{archive: " + archive + "}", HTTPD);
        apply();
        JsonNode before = status().get("app");
        assertThat(host.sandlot("plan").exit()).isZero();

        Files.writeString(src.resolve("var/www/html/index.html"), "Hello v2!\n");
        Path next = tar(src, "app.next.tar.gz");
        Files.move(next, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        TestHost.Run plan = host.sandlot("plan");
        assertThat(plan.exit()).as(plan.out() + plan.err()).isEqualTo(2);
        assertThat(plan.out()).contains("app").contains("rootfs content changed");
        apply();

        JsonNode after = status().get("app");
        assertThat(after.get("id")).isNotEqualTo(before.get("id"));
        assertThat(after.get("restarts").asInt()).isZero();
        assertThat(TestHost.httpGet(after.get("ip").asText())).isEqualTo("Hello v2!\n");
        assertThat(trees()).hasSize(1);
        assertThat(record(after.get("id").asText()).path("rootfsDigest").asText())
                .isEqualTo(trees().get(0).getFileName().toString().replaceFirst("-", ":"));
    }

    @Test
    void aMaliciousArchiveFailsItsSandboxAloneWithNothingWrittenOutside() throws Exception {
        Path outside = Files.createDirectory(host.root.resolve("outside"));
        Path evil = host.root.resolve("evil.tar");
        Files.write(evil, new TarBuilder().symlink("escape", outside.toString()).file("escape/pwned", "x").tar());
        manifest("evil", "{archive: " + evil + "}", HTTPD);
        manifest("good", "{archive: " + tar(busyboxSource(), "good.tar.gz") + "}", HTTPD);

        TestHost.Run run = host.sandlot("apply");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out() + run.err()).contains("evil").contains("rootfs").contains("symlink 'escape'");
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s.toList()).isEmpty();
        }
        Map<String, JsonNode> status = status();
        assertThat(status.get("good").get("phase").asText()).isEqualTo("Running");
        assertThat(TestHost.httpGet(status.get("good").get("ip").asText())).isEqualTo("Hello World!\n");
        assertThat(trees()).hasSize(1);
        try (Stream<Path> s = Files.list(host.stateDir.resolve("rootfs"))) {
            assertThat(s.filter(p -> p.getFileName().toString().startsWith(".")).toList()).isEmpty();
        }
    }
}
