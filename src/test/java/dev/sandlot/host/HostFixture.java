package dev.sandlot.host;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Real host resources for integration tests, and their cleanup. Everything is named so that it
 * cannot collide with anything else on the host: the network {@value #NETWORK} on bridge
 * {@value #BRIDGE} with subnet {@value #SUBNET}, ids {@code sltest-host.<8 hex>}, a runsc root in a
 * temp dir, cgroups under {@value #CGROUP_PARENT}. {@link #close()} removes all of it, whatever
 * state a failed test left.
 */
final class HostFixture implements AutoCloseable {
    static final String NETWORK = "sltest-host";
    static final String BRIDGE = "sltest0";
    static final String SUBNET = "10.213.0.0/24";
    static final String CGROUP_PARENT = "/sltest-host";
    /** A second network on its own bridge and subnet, for tests that break a bridge on purpose. */
    static final String NETWORK_2 = "sltest-host2";
    static final String BRIDGE_2 = "sltest1";
    static final String SUBNET_2 = "10.213.1.0/24";
    static final List<Path> BIN_DIRS = List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni"));
    static final Path LEASES = Path.of("/var/lib/cni/networks", NETWORK);

    final SystemProcessRunner runner = new SystemProcessRunner();
    final Netns netns = new Netns(runner);
    final Cni cni = new Cni(runner, BIN_DIRS, Duration.ofSeconds(20));
    final Iptables iptables = new Iptables(runner);
    final Path dir;
    final Path confDir;
    final Runsc runsc;

    private final Set<String> ids = new LinkedHashSet<>();
    private final List<Attachment> attachments = new ArrayList<>();

    record Attachment(NetworkConfig net, String id, String ifname, JsonNode result) {
    }

    static void assumeHost() {
        assumeTrue("root".equals(System.getProperty("user.name")), "integration tests need root");
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/bridge")) || Files.isExecutable(Path.of("/opt/cni/bin/bridge")),
                "integration tests need the CNI plugins");
        assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "runsc"))),
                "integration tests need runsc");
    }

    HostFixture(Path dir) throws IOException {
        this.dir = dir;
        this.confDir = Files.createDirectories(dir.resolve("net.d"));
        Files.writeString(confDir.resolve("10-" + NETWORK + ".conflist"), conflist(NETWORK, BRIDGE, SUBNET));
        // DESIGN.md §6: this runsc needs host networking on kernels >= 6.9.
        this.runsc = new Runsc(runner, "runsc", dir.resolve("runsc-root"), List.of("--network=host"));
    }

    static String conflist(String network, String bridge, String subnet) {
        return """
                {
                  "cniVersion": "0.4.0",
                  "name": "%s",
                  "plugins": [
                    {
                      "type": "bridge",
                      "bridge": "%s",
                      "isGateway": true,
                      "ipMasq": true,
                      "ipam": {"type": "host-local", "subnet": "%s", "routes": [{"dst": "0.0.0.0/0"}]}
                    }
                  ]
                }
                """.formatted(network, bridge, subnet);
    }

    /** A fresh id, remembered for cleanup. */
    String newId() {
        String id = "sltest-host." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        ids.add(id);
        return id;
    }

    NetworkConfig network() throws CniException {
        return new CniNetworks(confDir).find(NETWORK);
    }

    /** ADD, remembered for DEL at cleanup. */
    JsonNode add(NetworkConfig net, String id, String ifname) throws CniException {
        attachments.add(new Attachment(net, id, ifname, null));
        JsonNode result = cni.add(net, id, netns.path(id), ifname, java.util.Map.of());
        attachments.set(attachments.size() - 1, new Attachment(net, id, ifname, result));
        return result;
    }

    /** The IPv4 address (without prefix) of the first IP in a CNI result. */
    static String ip(JsonNode result) {
        String cidr = result.get("ips").get(0).get("address").asText();
        return cidr.substring(0, cidr.indexOf('/'));
    }

    /** Lease files host-local holds for this id (host-local writes the id on the first line). */
    static List<Path> leasesOf(String id) throws IOException {
        return leasesOf(LEASES, id);
    }

    static List<Path> leasesOf(Path leases, String id) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(leases)) {
            return found;
        }
        try (Stream<Path> files = Files.list(leases)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f) && Files.readString(f).lines().findFirst().orElse("").equals(id)) {
                    found.add(f);
                }
            }
        }
        return found;
    }

    /** The nat rules whose comment names this id. */
    List<String> natRulesOf(String id) throws IOException {
        ExecResult r = runner.run(new ExecRequest(List.of("iptables", "-w", "5", "-t", "nat", "-S"), ExecRequest.HOST_ENV,
                null, Duration.ofSeconds(10), null, 16 << 20));
        return r.stdoutText().lines().filter(l -> l.contains("id: \\\"" + id + "\\\"")).toList();
    }

    /** GET http://ip:port/ from the host, with a bounded number of attempts while the server starts. */
    static String httpGet(String ip, int port) throws InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + "/"))
                .timeout(Duration.ofSeconds(2)).build();
        IOException last = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (int attempt = 0; attempt < 100 && System.nanoTime() < deadline; attempt++) {
            try {
                return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError("no HTTP answer from " + ip + ":" + port, last);
    }

    /** A tiny busybox rootfs serving "Hello World!" from /var/www/html. */
    Path busyboxRootfs() throws IOException, InterruptedException {
        Path rootfs = dir.resolve("rootfs");
        for (String d : List.of("bin", "proc", "dev", "sys", "tmp", "etc", "var/www/html")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Path busybox = Stream.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox")).filter(Files::isExecutable)
                .findFirst().orElseThrow(() -> new AssertionError("busybox-static is needed"));
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "httpd", "sleep", "cat")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("var/www/html/index.html"), "Hello World!\n");
        return rootfs;
    }

    /** Removes everything this fixture may have created, in teardown order; reports the first failure. */
    @Override
    public void close() throws Exception {
        List<Exception> failures = new ArrayList<>();
        try {
            for (RunscContainer c : runsc.list()) {
                try {
                    runsc.kill(c.id(), "KILL");
                    runsc.waitStopped(c.pid(), Duration.ofSeconds(10));
                    runsc.delete(c.id());
                } catch (HostException e) {
                    failures.add(e);
                }
            }
        } catch (HostException e) {
            failures.add(e);
        }
        for (String id : ids) {
            try {
                new Cgroups().remove(CGROUP_PARENT + "/" + id);
            } catch (HostException e) {
                failures.add(e);
            }
        }
        for (int i = attachments.size() - 1; i >= 0; i--) {
            Attachment a = attachments.get(i);
            try {
                cni.del(a.net(), a.id(), netns.path(a.id()), a.ifname(), a.result());
            } catch (CniException e) {
                failures.add(e);
            }
        }
        for (String id : ids) {
            try {
                iptables.removeChainsFor(id);
                netns.delete(id);
            } catch (HostException e) {
                failures.add(e);
            }
        }
        for (String id : ids) {
            for (Path leases : List.of(LEASES, LEASES.resolveSibling(NETWORK_2))) {
                for (Path lease : leasesOf(leases, id)) {
                    Files.deleteIfExists(lease);
                }
            }
        }
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    static void removeBridge(String bridge) throws IOException {
        if (Files.exists(Path.of("/sys/class/net", bridge))) {
            new SystemProcessRunner().run(new ExecRequest(List.of("ip", "link", "delete", bridge), ExecRequest.HOST_ENV,
                    null, Duration.ofSeconds(10), null, 4096));
        }
    }

    /** Once per test class: the bridge, the lease dir and the cgroup parents go too. */
    static void removeShared() throws IOException {
        for (String bridge : List.of(BRIDGE, BRIDGE_2)) {
            removeBridge(bridge);
        }
        for (Path leases : List.of(LEASES, LEASES.resolveSibling(NETWORK_2))) {
            if (Files.isDirectory(leases)) {
                try (Stream<Path> files = Files.walk(leases)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
        Path cgroupRoot = Path.of("/sys/fs/cgroup");
        List<Path> hierarchies = new ArrayList<>(List.of(cgroupRoot));
        try (Stream<Path> controllers = Files.list(cgroupRoot)) {
            controllers.filter(Files::isDirectory).forEach(hierarchies::add);
        }
        {
            for (Path c : hierarchies) {
                Path parent = c.resolve(CGROUP_PARENT.substring(1));
                if (Files.isDirectory(parent)) {
                    try {
                        Files.delete(parent);
                    } catch (IOException e) {
                        // not empty: a sandbox of ours is still there; the next run retries
                    }
                }
            }
        }
    }
}
