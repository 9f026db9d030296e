package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.source.git.GitFixture;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 on real runsc, CNI and netns: three sandlot daemons on this machine, each with its own
 * state dir, run dir, metrics address, bridge and subnet (slg0..slg2, 10.231-233.0.0/24), host
 * name and labels, all pulling one git repository (a local bare one, file://). Each converges
 * exactly the sandboxes placed on it and never touches another's; a force-pushed invalid commit
 * and a repository moved away keep the last known good running.
 */
class GitOpsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    private GitFixture repo;
    private final List<Instance> instances = new ArrayList<>();

    /** One sandlot "host": a TestHost (its own world) plus its name, labels and metrics port. */
    private record Instance(TestHost host, String name, String labels, int metricsPort) {
    }

    @BeforeEach
    void setUp() throws Exception {
        repo = new GitFixture(tmp);
        String[][] specs = {{"alpha", "{role: web, zone: a}"}, {"beta", "{role: db, zone: b}"},
            {"gamma", "{role: web, zone: c}"}};
        for (int i = 0; i < specs.length; i++) {
            TestHost host = new TestHost("go" + specs[i][0].charAt(0), "slg" + i, 231 + i);
            Instance instance = new Instance(host, specs[i][0], specs[i][1], freePort());
            instances.add(instance);
            // alpha fetches only when told (sandlot sync); beta and gamma poll every second.
            host.writeConfig("""
                    resyncInterval: 1s
                    metricsAddress: "127.0.0.1:%d"
                    hostName: %s
                    hostLabels: %s
                    git: {url: "%s", ref: main, path: hosts, interval: %s}
                    """.formatted(instance.metricsPort(), instance.name(), instance.labels(), repo.url(),
                    i == 0 ? "1h" : "1s"));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        Exception first = null;
        for (Instance i : instances) {
            try {
                i.host().close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        repo.close();
        if (first != null) {
            throw first;
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Instance alpha() {
        return instances.get(0);
    }

    private Instance beta() {
        return instances.get(1);
    }

    private Instance gamma() {
        return instances.get(2);
    }

    /** A hello manifest on {@code on}'s network and rootfs, with a placement block. */
    private static String manifest(Instance on, String name, String greeting, String placement) {
        return """
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
                  placement: %s
                """.formatted(name, on.host().rootfs, greeting, on.host().network, placement);
    }

    private Map<String, String> layout(String betaGreeting, boolean withAlphaWeb) {
        Map<String, String> files = new HashMap<>();
        files.put("hosts/alpha-web.yaml", withAlphaWeb ? manifest(alpha(), "a-web", "v1", "{hosts: [alpha]}") : null);
        files.put("hosts/alpha-api.yaml", manifest(alpha(), "a-api", "v1", "{hostLabels: {role: web, zone: a}}"));
        files.put("hosts/beta-db.yaml", manifest(beta(), "b-db", betaGreeting, "{hostLabels: {role: db}}"));
        files.put("hosts/gamma-web.yaml", manifest(gamma(), "c-web", "v1", "{hosts: [\"gam*\"], hostLabels: {zone: c}}"));
        files.put("README.md", "Sandboxes of three hosts; see docs/gitops.md\n");
        return files;
    }

    private static Map<String, JsonNode> status(Instance i) throws Exception {
        TestHost.Run run = i.host().sandlot("status", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        Map<String, JsonNode> rows = new TreeMap<>();
        JSON.readTree(run.out()).forEach(r -> rows.put(r.get("name").asText(), r));
        return rows;
    }

    private static boolean running(JsonNode row) {
        return row != null && "Running".equals(row.get("phase").asText()) && row.get("pid").asInt() > 0;
    }

    /** Polls (bounded) until the instance's status rows satisfy {@code test}. */
    private static Map<String, JsonNode> await(Instance i, String what, Predicate<Map<String, JsonNode>> test)
            throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        Map<String, JsonNode> last = null;
        while (System.currentTimeMillis() < deadline) {
            last = status(i);
            if (test.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(i.name() + ": " + what + " not reached within 60 s; last status: " + last);
    }

    private static Predicate<Map<String, JsonNode>> exactlyRunning(String... names) {
        return rows -> rows.keySet().equals(new TreeSet<>(List.of(names)))
                && rows.values().stream().allMatch(GitOpsIT::running);
    }

    private static Map<String, Integer> pids(Map<String, JsonNode> rows) {
        Map<String, Integer> pids = new TreeMap<>();
        rows.forEach((n, r) -> pids.put(n, r.get("pid").asInt()));
        return pids;
    }

    private static String metrics(Instance i) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.metricsPort() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<String> recordedNames(Instance i) throws Exception {
        Path sandboxes = i.host().stateDir.resolve("sandboxes");
        if (!Files.isDirectory(sandboxes)) {
            return List.of();
        }
        try (var s = Files.list(sandboxes)) {
            return s.map(p -> p.getFileName().toString().replaceAll("^sandlot-(.*)\\.[^.]+$", "$1")).sorted().toList();
        }
    }

    @Test
    void threeHostsPullingOneRepositoryEachConvergeExactlyTheirOwnSandboxes() throws Exception {
        String c1 = repo.commit("three hosts", layout("v1", true));
        List<DaemonProcess> daemons = new ArrayList<>();
        try {
            for (Instance i : instances) {
                DaemonProcess d = new DaemonProcess(i.host());
                daemons.add(d);
                d.awaitLog("sandlot running", 30_000);
            }

            // 1. Each converges exactly its own set (placement by name, by labels, by both).
            Map<String, JsonNode> a = await(alpha(), "a-api and a-web running", exactlyRunning("a-api", "a-web"));
            Map<String, JsonNode> b = await(beta(), "b-db running", exactlyRunning("b-db"));
            Map<String, JsonNode> c = await(gamma(), "c-web running", exactlyRunning("c-web"));
            assertThat(TestHost.httpGet(a.get("a-web").get("ip").asText())).isEqualTo("Hello World!\n");
            assertThat(a.get("a-web").get("ip").asText()).startsWith("10.231.0.");
            assertThat(b.get("b-db").get("ip").asText()).startsWith("10.232.0.");
            assertThat(TestHost.httpGet(c.get("c-web").get("ip").asText())).isEqualTo("Hello World!\n");
            assertThat(recordedNames(alpha())).containsExactly("a-api", "a-web");
            assertThat(recordedNames(beta())).containsExactly("b-db");
            assertThat(recordedNames(gamma())).containsExactly("c-web");
            for (Instance i : instances) {
                assertThat(metrics(i)).as(i.name()).contains("sandlot_source_info{kind=\"git\",revision=\"" + c1 + "\"} 1")
                        .contains("sandlot_source_applied_timestamp_seconds");
            }
            TestHost.Run text = alpha().host().sandlot("status");
            assertThat(text.out()).contains("source: git " + repo.url()).contains(" at " + c1);
            Map<String, Integer> alphaPids = pids(a);
            Map<String, Integer> gammaPids = pids(c);

            // 2. A new commit: beta's sandbox changes, alpha's a-web goes. beta and gamma poll;
            //    alpha fetches only when `sandlot sync` asks.
            String c2 = repo.commit("b-db v2, no a-web", layout("v2", false));
            Map<String, JsonNode> b2 = await(beta(), "b-db replaced", rows -> exactlyRunning("b-db").test(rows)
                    && rows.get("b-db").get("pid").asInt() != b.get("b-db").get("pid").asInt());
            Thread.sleep(2_500); // alpha's interval is 1h: it has not fetched by itself
            assertThat(pids(status(alpha()))).isEqualTo(alphaPids);
            TestHost.Run sync = alpha().host().sandlot("sync");
            assertThat(sync.exit()).as(sync.err()).isZero();
            Map<String, JsonNode> a2 = await(alpha(), "a-web removed", exactlyRunning("a-api"));
            assertThat(a2.get("a-api").get("pid").asInt()).isEqualTo(alphaPids.get("a-api"));
            assertThat(pids(status(gamma()))).as("gamma untouched").isEqualTo(gammaPids);
            assertThat(recordedNames(alpha())).containsExactly("a-api");
            assertThat(metrics(beta())).contains("revision=\"" + c2 + "\"");

            // 3. A force-pushed invalid commit: every host keeps its last known good running.
            repo.resetHard(c1);
            String broken = repo.commitTo("main", "broken", Map.of("hosts/beta-db.yaml",
                    "apiVersion: sandlot.dev/v1\nkind: Sandbox\nmetadata: {name: b-db\n"), true);
            Map<String, JsonNode> b3 = await(beta(), "b-db held on its last good spec",
                    rows -> rows.containsKey("b-db") && "ManifestInvalid".equals(rows.get("b-db").get("reason").asText()));
            assertThat(b3.get("b-db").get("pid").asInt()).isEqualTo(b2.get("b-db").get("pid").asInt());
            assertThat(running(b3.get("b-db"))).isTrue();
            await(gamma(), "gamma on the broken commit", rows -> {
                try {
                    return metrics(gamma()).contains("revision=\"" + broken + "\"");
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(pids(status(gamma()))).isEqualTo(gammaPids);

            // 4. The repository moved away: nothing changes anywhere, and status says why.
            Path moved = tmp.resolve("moved.git");
            Files.move(repo.bare, moved);
            assertThat(alpha().host().sandlot("sync").exit()).isZero();
            Thread.sleep(3_000); // several failed fetches on beta and gamma, one on alpha
            assertThat(pids(status(beta()))).isEqualTo(pids(b3));
            assertThat(pids(status(gamma()))).isEqualTo(gammaPids);
            assertThat(pids(status(alpha())).get("a-api")).isEqualTo(alphaPids.get("a-api"));
            assertThat(metrics(beta())).contains("revision=\"" + broken + "\"");
            String statusFile = Files.readString(beta().host().runDir.resolve("status.json"));
            assertThat(statusFile).contains("cannot fetch").contains("keeping commit " + broken.substring(0, 12));
            assertThat(beta().host().sandlot("status").out()).contains("source problem").contains("cannot fetch");
            Files.move(moved, repo.bare);

            // Only ever our own: no instance recorded another's sandbox.
            assertThat(recordedNames(alpha())).containsExactly("a-api");
            assertThat(recordedNames(beta())).containsExactly("b-db");
            assertThat(recordedNames(gamma())).containsExactly("c-web");
        } finally {
            for (DaemonProcess d : daemons) {
                d.close();
            }
        }
    }
}
