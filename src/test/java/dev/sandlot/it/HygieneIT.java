package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.host.ExecRequest;
import dev.sandlot.host.ProcessRunner;
import dev.sandlot.host.SystemProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RELIABILITY.md §E on a real apply: what runsc is given (the config.json sandlot wrote, items
 * 35-37), where bind mounts may come from (item 36, including through symlinks), and how every
 * host program is started (item 38: argv, a cleared environment, `--` before ids), seen both at the
 * process seam and from inside the programs themselves.
 */
@Timeout(300)
class HygieneIT {
    private static final Set<String> SHELLS = Set.of("sh", "bash", "dash", "zsh", "ash", "busybox", "env", "sudo");
    private FaultHost fh;
    private FaultHost.Leaks empty;
    private Path allowed;
    private final List<ExecRequest> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        fh = new FaultHost("rh", 5, "rh-").wrapRunsc();
        empty = fh.leaks();
        allowed = Files.createDirectories(fh.host.root.resolve("allowed"));
        Files.createDirectories(allowed.resolve("data"));
        Files.writeString(allowed.resolve("data/index.html"), "mounted\n");
        fh.host.extraOptions.addAll(List.of("--mount-allow", allowed.toString()));
        SystemProcessRunner real = new SystemProcessRunner();
        ProcessRunner recording = request -> {
            calls.add(request);
            return real.run(request);
        };
        TestSeam.install(() -> recording);
    }

    @AfterEach
    void tearDown() throws Exception {
        TestSeam.reset();
        fh.close();
    }

    private static String get(String url) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(1)).build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(java.time.Duration.ofSeconds(2)).build();
        java.io.IOException last = null;
        for (int attempt = 0; attempt < 40; attempt++) { // the server may still be starting
            try {
                return client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw last;
    }

    private String mountLine(String source) {
        return "mounts: [{source: " + source + ", destination: /var/www/html/data}]";
    }

    @Test
    void everyHostProgramGetsAnArgvAClearedEnvironmentAndDoubleDashBeforeIds() throws Exception {
        fh.manifest("rh-exec", "v1", mountLine(allowed.resolve("data").toString()));
        fh.apply();
        String id = fh.status("rh-exec").get("id").asText();
        Files.delete(fh.host.manifests.resolve("rh-exec.yaml"));
        fh.apply();
        fh.awaitLeaks(empty, 15_000);

        Set<String> programs = new TreeSet<>();
        for (ExecRequest r : calls) {
            programs.add(r.program());
            assertThat(SHELLS).as("never through a shell: " + r.argv()).doesNotContain(r.program());
            assertThat(r.env()).as("environment of " + r.argv()).containsEntry("PATH", ExecRequest.DEFAULT_PATH);
            assertThat(r.env().keySet()).as("environment of " + r.argv())
                    .allMatch(k -> k.equals("PATH") || k.startsWith("CNI_"));
            if (r.program().equals("runsc") && r.argv().contains(id)) {
                int at = r.argv().indexOf(id);
                assertThat(r.argv().get(at - 1)).as("`--` before the id: " + r.argv()).isEqualTo("--");
            }
            if (r.program().equals("failpoint") || r.program().equals("loopback")) {
                assertThat(r.argv()).as("a CNI plugin gets no arguments").hasSize(1);
                assertThat(r.env().keySet()).containsExactlyInAnyOrder("PATH", "CNI_COMMAND", "CNI_CONTAINERID",
                        "CNI_NETNS", "CNI_IFNAME", "CNI_PATH");
            }
        }
        assertThat(programs).contains("runsc", "ip", "failpoint", "loopback");

        // What the programs themselves saw (the wrappers dump their environment): nothing inherited.
        for (Path dump : List.of(fh.failpoints.resolveSibling("cni.failpoints.env"),
                fh.bin.resolve("runsc.failpoints.env"))) {
            List<String> keys = new ArrayList<>();
            for (String line : Files.readAllLines(dump)) {
                keys.add(line.substring(0, line.indexOf('=')));
            }
            assertThat(keys).as(dump + ": " + keys)
                    .allMatch(k -> k.equals("PATH") || k.startsWith("CNI_") || k.equals("PWD"));
        }
    }

    @Test
    void theConfigJsonRunscGetsIsBuiltFromScratchAndLockedDown() throws Exception {
        fh.manifest("rh-oci", "v1", mountLine(allowed.resolve("data").toString()));
        fh.apply();
        String id = fh.status("rh-oci").get("id").asText();
        JsonNode config = fh.bundleConfig(id);

        // Item 35: no hooks, no gVisor annotations, no devices, only the netns sandlot made.
        assertThat(config.has("hooks")).isFalse();
        config.path("annotations").fieldNames()
                .forEachRemaining(k -> assertThat(k).doesNotStartWith("dev.gvisor"));
        assertThat(config.path("linux").path("devices").size()).isZero();
        Map<String, String> namespaces = new java.util.TreeMap<>();
        for (JsonNode ns : config.get("linux").get("namespaces")) {
            namespaces.put(ns.get("type").asText(), ns.path("path").asText(""));
        }
        assertThat(namespaces).containsOnlyKeys("pid", "network", "ipc", "uts", "mount")
                .containsEntry("network", "/run/netns/" + id).containsEntry("pid", "").containsEntry("ipc", "")
                .containsEntry("uts", "").containsEntry("mount", "");
        JsonNode process = config.get("process");
        assertThat(process.get("noNewPrivileges").asBoolean()).isTrue();
        assertThat(process.get("terminal").asBoolean()).isFalse();
        assertThat(process.get("cwd").asText()).isEqualTo("/var/www/html");
        List<String> bounding = new ArrayList<>();
        process.get("capabilities").get("bounding").forEach(c -> bounding.add(c.asText()));
        assertThat(bounding).doesNotContain("CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_MODULE",
                "CAP_DAC_READ_SEARCH", "CAP_SYS_RAWIO", "CAP_BPF");
        assertThat(process.get("capabilities").path("inheritable").size()).isZero();
        assertThat(process.get("capabilities").path("ambient").size()).isZero();
        assertThat(process.get("env").toString()).contains("GREETING=v1").contains("PATH=");
        // The rootfs stays read-only; /tmp is a writable tmpfs; the bind mount is read-only.
        assertThat(config.get("root").get("readonly").asBoolean()).isTrue();
        assertThat(config.get("linux").get("cgroupsPath").asText()).isEqualTo("/sandlot/" + id);
        JsonNode data = null;
        JsonNode tmp = null;
        for (JsonNode m : config.get("mounts")) {
            if (m.get("destination").asText().equals("/var/www/html/data")) {
                data = m;
            }
            if (m.get("destination").asText().equals("/tmp")) {
                tmp = m;
            }
            String source = m.path("source").asText("");
            if (source.startsWith("/")) {
                assertThat(source).as("bind sources come from the allow-list or sandlot's own state dir")
                        .satisfiesAnyOf(s -> assertThat(s).startsWith(allowed.toString()),
                                s -> assertThat(s).startsWith(fh.host.stateDir.toString()));
            }
        }
        assertThat(tmp).isNotNull();
        assertThat(tmp.get("type").asText()).isEqualTo("tmpfs");
        assertThat(data).isNotNull();
        assertThat(data.get("options").toString()).contains("\"ro\"");
        String ip = fh.status("rh-oci").get("ip").asText();
        assertThat(TestHost.httpGet(ip)).isEqualTo("Hello World!\n");
        assertThat(get("http://" + ip + ":8000/data/index.html")).as("the bind mount is there").isEqualTo("mounted\n");
    }

    @Test
    void aMountSourceReachedThroughASymlinkedFolderIsRefusedBeforeAnythingIsCreated() throws Exception {
        // Under the allow-list by name, in /etc in fact.
        Files.createSymbolicLink(allowed.resolve("etc"), Path.of("/etc"));
        Files.createSymbolicLink(allowed.resolve("datalink"), allowed.resolve("data"));
        fh.manifest("rh-through", "v1", mountLine(allowed.resolve("etc/ssl").toString()));
        fh.manifest("rh-itself", "v1", mountLine(allowed.resolve("datalink").toString()));
        fh.manifest("rh-fine", "v1", mountLine(allowed.resolve("data").toString()));

        TestHost.Run run = fh.sandlot("apply");
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("rh-itself: mounts: mount source " + allowed.resolve("datalink")
                + " is a symlink");
        assertThat(run.err()).contains("rh-through: mounts: mount source " + allowed.resolve("etc/ssl"))
                .contains("symlink");
        assertThat(fh.status("rh-through").get("phase").asText()).isEqualTo("Failed");
        assertThat(FaultHost.running(fh.status("rh-fine"))).as("I5").isTrue();
        fh.awaitLeaks(FaultHost.plus(empty, 1), 15_000);
        assertThat(calls.stream().filter(r -> r.argv().stream().anyMatch(a -> a.contains("rh-through"))))
                .as("nothing was run for it").isEmpty();
    }
}
