package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private sandlot world for one integration test: its own manifests folder, state dir, run dir
 * (so its own runsc root), CNI conf dir with a network of its own (bridge, subnet, lease dir), and
 * a busybox rootfs. {@link #close()} removes everything it made, even after a failed test.
 *
 * <p>Traffic goes only to sandboxes this host created, inside netns it created; every wait is
 * bounded.
 */
public final class TestHost implements AutoCloseable {
    public final Path root;
    public final Path manifests;
    public final Path stateDir;
    public final Path runDir;
    public final Path cniConfDir;
    public final Path rootfs;
    public final String network;
    public final String bridge;
    /** Options added to every command of this host, after {@link #options()}'s own (e.g. --cni-bin-dir). */
    public final List<String> extraOptions = new ArrayList<>();

    public TestHost(String tag, int subnetOctet) throws IOException, InterruptedException {
        this(tag, ("slit" + tag).substring(0, Math.min(15, 4 + tag.length())), subnetOctet);
    }

    /** A host on a bridge of the caller's choosing (tests that run alongside others pick unique ones). */
    public TestHost(String tag, String bridge, int subnetOctet) throws IOException, InterruptedException {
        requireHost();
        root = Files.createTempDirectory("sandlot-it-" + tag + "-");
        manifests = Files.createDirectories(root.resolve("manifests"));
        stateDir = root.resolve("state");
        runDir = root.resolve("run");
        cniConfDir = Files.createDirectories(root.resolve("net.d"));
        rootfs = root.resolve("rootfs");
        network = "sandlot-it-" + tag;
        this.bridge = bridge;
        sh("scripts/make-rootfs", rootfs.toString());
        Files.writeString(cniConfDir.resolve("10-" + network + ".conflist"), """
                {"cniVersion": "0.4.0", "name": "%s", "plugins": [
                  {"type": "bridge", "bridge": "%s", "isGateway": true, "ipMasq": true,
                   "ipam": {"type": "host-local", "subnet": "10.%d.0.0/24", "routes": [{"dst": "0.0.0.0/0"}]}},
                  {"type": "portmap", "capabilities": {"portMappings": true}}]}
                """.formatted(network, bridge, subnetOctet));
    }

    /** Integration tests need the real tools; a missing one is a failure, not a skip. */
    static void requireHost() {
        assertThat(System.getProperty("user.name")).as("integration tests run as root").isEqualTo("root");
        assertThat(Path.of("/usr/lib/cni/bridge")).as("containernetworking-plugins installed").exists();
        assertThat(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "runsc"))))
                .as("runsc on the PATH").isTrue();
    }

    /** The options every command of this host gets. */
    public List<String> options() {
        List<String> options = new ArrayList<>(List.of("--manifests", manifests.toString(),
                "--state-dir", stateDir.toString(), "--run-dir", runDir.toString(),
                "--cni-conf-dir", cniConfDir.toString(), "--runsc-flag=--network=host",
                "--config", emptyConfig().toString()));
        options.addAll(extraOptions);
        return List.copyOf(options);
    }

    private Path emptyConfig() {
        Path config = root.resolve("config.yaml");
        if (!Files.exists(config)) {
            writeConfig("# test config: defaults only, no metrics endpoint\nmetricsAddress: \"off\"\n");
        }
        return config;
    }

    /** Replaces this host's config file (the options still win over it). */
    public void writeConfig(String yaml) {
        try {
            Files.writeString(root.resolve("config.yaml"), yaml);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Result of one in-process command. */
    public record Run(int exit, String out, String err) {
    }

    public Run sandlot(String command, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(command);
        argv.addAll(options());
        argv.addAll(Arrays.asList(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), argv.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** A hello manifest for {@code name}: busybox httpd on port 8000, on this host's network. */
    public Path writeManifest(String name, String extraEnv) throws IOException {
        Path file = manifests.resolve(name + ".yaml");
        Files.writeString(file, """
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata:
                  name: %s
                spec:
                  rootfs:
                    path: %s
                  process:
                    args: ["/bin/httpd", "-f", "-p", "8000", "-h", "/var/www/html"]
                    cwd: /var/www/html
                    env: {GREETING: "%s"}
                  networks: [%s]
                """.formatted(name, rootfs, extraEnv, network));
        return file;
    }

    /** GETs http://ip:8000/ with bounded retries; returns the body, or fails. */
    public static String httpGet(String ip) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ip + ":8000/"))
                .timeout(Duration.ofSeconds(2)).build();
        IOException last = null;
        for (int attempt = 0; attempt < 40; attempt++) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no HTTP answer from " + ip + ":8000 after 40 attempts", last);
    }

    /** Counts of everything a sandbox can leave behind (RELIABILITY.md invariant I2). */
    public record Counts(int netns, int leases, int records, int runscContainers, int natRules, int veths) {
    }

    public Counts counts() throws IOException, InterruptedException {
        int netns = 0;
        try (Stream<Path> s = Files.list(Path.of("/run/netns"))) {
            netns = (int) s.filter(p -> p.getFileName().toString().startsWith("sandlot-")).filter(this::ours).count();
        } catch (java.nio.file.NoSuchFileException e) {
            netns = 0;
        }
        int leases = 0;
        Path leaseDir = Path.of("/var/lib/cni/networks", network);
        if (Files.isDirectory(leaseDir)) {
            try (Stream<Path> s = Files.list(leaseDir)) {
                leases = (int) s.filter(p -> p.getFileName().toString().matches("[0-9.]+")).count();
            }
        }
        int records = 0;
        Path sandboxes = stateDir.resolve("sandboxes");
        if (Files.isDirectory(sandboxes)) {
            try (Stream<Path> s = Files.list(sandboxes)) {
                records = (int) s.count();
            }
        }
        String list = sh("runsc", "--root", runDir.resolve("runsc").toString(), "list", "-quiet").trim();
        int containers = list.isEmpty() ? 0 : list.split("\n").length;
        int nat = (int) sh("iptables", "-t", "nat", "-S").lines()
                .filter(l -> l.contains("name: \\\"" + network + "\\\"")).count();
        int veths = (int) sh("ip", "-o", "link", "show", "master", bridge).lines()
                .filter(l -> l.matches("\\d+: .*")).count();
        return new Counts(netns, leases, records, containers, nat, veths);
    }

    private boolean ours(Path netns) {
        return Files.exists(stateDir.resolve("sandboxes").resolve(netns.getFileName().toString()));
    }

    public static String sh(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + " timed out");
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Removes every sandbox of this host, then the bridge, leases and folders. */
    @Override
    public void close() throws Exception {
        try {
            sandlot("down", "--all");
        } finally {
            sh("ip", "link", "delete", bridge);
            sh("sh", "-c", "rm -rf /var/lib/cni/networks/" + network);
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
