package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.manifest.MountSpec;
import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.Resources;
import dev.sandlot.manifest.RestartPolicy;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.manifest.SandboxSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "sandlot-web.0a1b2c3d";

    static SandboxSpec spec(Map<String, String> env, List<MountSpec> mounts, Resources resources, String cwd) {
        return new SandboxSpec(Rootfs.directory("/srv/sandlot/rootfs/busybox"),
                new ProcessSpec(List.of("/bin/httpd", "-f", "-p", "8000"), cwd, env, new ProcessSpec.User(1000, 1001)),
                "web", List.of("mynet"), mounts, resources, RestartPolicy.Always);
    }

    static SandboxSpec spec() {
        return spec(Map.of("GREETING", "hello", "A", "1"),
                List.of(new MountSpec("/srv/www", "/var/www/html", true), new MountSpec("/srv/data", "/data", false)),
                new Resources(268435456L, 500L, 256L), "/var/www/html");
    }

    static BundleParams params(SandboxSpec spec) {
        return new BundleParams(ID, spec, Path.of("/srv/sandlot/rootfs/busybox"), Path.of("/run/netns/" + ID),
                "/sandlot/" + ID, null, null);
    }

    private static JsonNode config(BundleParams p) throws Exception {
        return JSON.readTree(new BundleWriter().configJson(p));
    }

    @Test
    void theProcessIsSetFieldByField() throws Exception {
        JsonNode process = config(params(spec())).get("process");

        assertThat(process.get("terminal").asBoolean(true)).isFalse();
        assertThat(process.get("args")).isEqualTo(JSON.readTree("[\"/bin/httpd\",\"-f\",\"-p\",\"8000\"]"));
        assertThat(process.get("env")).isEqualTo(JSON.readTree("[\"PATH=" + ExecRequest.DEFAULT_PATH
                + "\",\"A=1\",\"GREETING=hello\",\"HOSTNAME=web\"]"));
        assertThat(process.get("cwd").asText()).isEqualTo("/var/www/html");
        assertThat(process.get("user")).isEqualTo(JSON.readTree("{\"uid\":1000,\"gid\":1001}"));
        assertThat(process.get("noNewPrivileges").asBoolean()).isTrue();
        assertThat(process.get("rlimits")).isEqualTo(JSON.readTree(
                "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}]"));
    }

    @Test
    void capabilitiesAreContainerdsDefaultsAndNeverInheritableOrAmbient() throws Exception {
        JsonNode caps = config(params(spec())).get("process").get("capabilities");

        List<String> sets = new ArrayList<>();
        caps.fieldNames().forEachRemaining(sets::add);
        assertThat(sets).containsExactly("bounding", "effective", "permitted");
        for (String set : sets) {
            List<String> names = new ArrayList<>();
            caps.get(set).forEach(c -> names.add(c.asText()));
            assertThat(names).containsExactlyInAnyOrder("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
                    "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
                    "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
        }
    }

    @Test
    void aPathFromTheSpecReplacesTheDefaultAndHostnameIsKeptIfSet() throws Exception {
        JsonNode env = config(params(spec(Map.of("PATH", "/opt/bin", "HOSTNAME", "h"), List.of(), Resources.NONE, "/")))
                .get("process").get("env");

        assertThat(env).isEqualTo(JSON.readTree("[\"HOSTNAME=h\",\"PATH=/opt/bin\"]"));
    }

    @Test
    void rootIsReadOnlyAndHostnameIsSet() throws Exception {
        JsonNode c = config(params(spec()));

        assertThat(c.get("ociVersion").asText()).isEqualTo("1.0.2");
        assertThat(c.get("root")).isEqualTo(JSON.readTree("{\"path\":\"/srv/sandlot/rootfs/busybox\",\"readonly\":true}"));
        assertThat(c.get("hostname").asText()).isEqualTo("web");
    }

    @Test
    void mountsAreTheStandardOnesAWritableTmpAndTheSpecsBinds() throws Exception {
        JsonNode mounts = config(params(spec())).get("mounts");

        List<String> destinations = new ArrayList<>();
        mounts.forEach(m -> destinations.add(m.get("destination").asText()));
        assertThat(destinations).containsExactly("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/tmp",
                "/data", "/var/www/html");
        assertThat(mounts.get(5)).isEqualTo(JSON.readTree("{\"destination\":\"/sys\",\"type\":\"sysfs\","
                + "\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}"));
        assertThat(mounts.get(6)).isEqualTo(JSON.readTree("{\"destination\":\"/tmp\",\"type\":\"tmpfs\","
                + "\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"nodev\",\"mode=1777\"]}"));
        assertThat(mounts.get(7)).isEqualTo(JSON.readTree("{\"destination\":\"/data\",\"type\":\"bind\","
                + "\"source\":\"/srv/data\",\"options\":[\"rbind\",\"nosuid\",\"nodev\"]}"));
        assertThat(mounts.get(8)).isEqualTo(JSON.readTree("{\"destination\":\"/var/www/html\",\"type\":\"bind\","
                + "\"source\":\"/srv/www\",\"options\":[\"rbind\",\"ro\",\"nosuid\",\"nodev\"]}"));
    }

    @Test
    void resolvConfAndHostsAreBoundReadOnlyWhenGiven() throws Exception {
        BundleParams p = new BundleParams(ID, spec(), Path.of("/r"), Path.of("/run/netns/" + ID), "/sandlot/" + ID,
                Path.of("/var/lib/sandlot/resolv.conf"), Path.of("/var/lib/sandlot/hosts"));

        JsonNode mounts = config(p).get("mounts");

        JsonNode resolv = mounts.get(mounts.size() - 2);
        assertThat(resolv.get("destination").asText()).isEqualTo("/etc/resolv.conf");
        assertThat(resolv.get("source").asText()).isEqualTo("/var/lib/sandlot/resolv.conf");
        assertThat(resolv.get("options").toString()).contains("\"ro\"");
        assertThat(mounts.get(mounts.size() - 1).get("destination").asText()).isEqualTo("/etc/hosts");
    }

    @Test
    void namespacesAreTheFiveWithOnlyTheNetnsSandlotMade() throws Exception {
        JsonNode linux = config(params(spec())).get("linux");

        assertThat(linux.get("namespaces")).isEqualTo(JSON.readTree("[{\"type\":\"pid\"},{\"type\":\"ipc\"},"
                + "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"network\",\"path\":\"/run/netns/" + ID + "\"}]"));
        assertThat(linux.get("cgroupsPath").asText()).isEqualTo("/sandlot/" + ID);
    }

    @Test
    void resourcesBecomeMemoryCpuAndPidsLimits() throws Exception {
        JsonNode resources = config(params(spec())).get("linux").get("resources");

        assertThat(resources).isEqualTo(JSON.readTree("{\"memory\":{\"limit\":268435456},"
                + "\"cpu\":{\"quota\":50000,\"period\":100000},\"pids\":{\"limit\":256}}"));
        assertThat(config(params(spec(Map.of(), List.of(), new Resources(null, 2000L, null), "/")))
                .get("linux").get("resources")).isEqualTo(JSON.readTree("{\"cpu\":{\"quota\":200000,\"period\":100000}}"));
        assertThat(config(params(spec(Map.of(), List.of(), new Resources(null, 1L, null), "/")))
                .at("/linux/resources/cpu/quota").asLong()).isEqualTo(1000);
        assertThat(config(params(spec(Map.of(), List.of(), Resources.NONE, "/"))).at("/linux/resources"))
                .isEqualTo(JSON.readTree("{}"));
    }

    @Test
    void maskedAndReadonlyPathsAreRuncsDefaults() throws Exception {
        JsonNode linux = config(params(spec())).get("linux");

        assertThat(linux.get("maskedPaths").toString()).contains("/proc/kcore", "/proc/keys", "/sys/firmware");
        assertThat(linux.get("readonlyPaths").toString()).contains("/proc/sys", "/proc/sysrq-trigger");
    }

    @Test
    void nothingDangerousIsEverWritten() throws Exception {
        // Even with values that look like runsc annotations or hooks, nothing but what is listed appears.
        SandboxSpec sneaky = spec(Map.of("dev.gvisor.spec.mount.x", "y"), List.of(), Resources.NONE, "/");
        String text = new String(new BundleWriter().configJson(params(sneaky)), StandardCharsets.UTF_8);
        JsonNode c = JSON.readTree(text);

        List<String> top = new ArrayList<>();
        c.fieldNames().forEachRemaining(top::add);
        assertThat(top).containsExactly("ociVersion", "process", "root", "hostname", "mounts", "linux");
        List<String> linux = new ArrayList<>();
        c.get("linux").fieldNames().forEachRemaining(linux::add);
        assertThat(linux).containsExactly("namespaces", "cgroupsPath", "resources", "maskedPaths", "readonlyPaths");
        assertThat(c.has("hooks")).isFalse();
        assertThat(c.has("annotations")).isFalse();
        assertThat(c.get("linux").has("devices")).isFalse();
        assertThat(c.get("linux").has("seccomp")).isFalse();
        assertThat(c.get("process").get("capabilities").has("ambient")).isFalse();
        assertThat(c.get("process").get("capabilities").has("inheritable")).isFalse();
        assertThat(text.replace("dev.gvisor.spec.mount.x=y", "")).doesNotContain("dev.gvisor");
    }

    @Test
    void theSameInputGivesTheSameBytesWhateverTheMapOrder() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("Z", "1");
        a.put("A", "2");
        Map<String, String> b = new HashMap<>();
        b.put("A", "2");
        b.put("Z", "1");

        byte[] one = new BundleWriter().configJson(params(spec(a, List.of(), Resources.NONE, "/")));
        byte[] two = new BundleWriter().configJson(params(spec(b, List.of(), Resources.NONE, "/")));

        assertThat(one).isEqualTo(two);
        assertThat(new String(one, StandardCharsets.UTF_8)).doesNotContain("\r");
    }

    @Test
    void valuesThatBreakTheRulesAreRefused() {
        List<SandboxSpec> bad = List.of(
                spec(Map.of(), List.of(), Resources.NONE, "relative"),
                spec(Map.of(), List.of(), Resources.NONE, "/a/../b"),
                spec(Map.of(), List.of(), Resources.NONE, "/proc/self/fd/7"),
                spec(Map.of("A=B", "c"), List.of(), Resources.NONE, "/"),
                spec(Map.of("A", "nul\0"), List.of(), Resources.NONE, "/"),
                spec(Map.of(), List.of(new MountSpec("/srv/x", "/proc/sys", true)), Resources.NONE, "/"),
                spec(Map.of(), List.of(new MountSpec("/srv/x", "/dev", true)), Resources.NONE, "/"),
                spec(Map.of(), List.of(new MountSpec("/srv/x", "/sys/fs/cgroup", true)), Resources.NONE, "/"),
                spec(Map.of(), List.of(new MountSpec("/srv/x", "/", true)), Resources.NONE, "/"),
                spec(Map.of(), List.of(new MountSpec("srv/x", "/data", true)), Resources.NONE, "/"),
                spec(Map.of(), List.of(new MountSpec("/srv/../etc", "/data", true)), Resources.NONE, "/"),
                spec(Map.of(), List.of(), new Resources(-1L, null, null), "/"),
                spec(Map.of(), List.of(), new Resources(null, 0L, null), "/"));
        for (SandboxSpec s : bad) {
            assertThatThrownBy(() -> new BundleWriter().configJson(params(s))).as(s.toString())
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void writeIsAtomicAndPrivate(@TempDir Path dir) throws Exception {
        Path bundle = dir.resolve("bundles").resolve(ID);
        BundleWriter writer = new BundleWriter();

        writer.write(bundle, params(spec()));
        writer.write(bundle, params(spec()));

        Path config = bundle.resolve("config.json");
        assertThat(Files.readAllBytes(config)).isEqualTo(writer.configJson(params(spec())));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");
        try (var files = Files.list(bundle)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("config.json");
        }
    }

    @Test
    void aWriteThatCannotHappenNamesTheSandbox(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");

        assertThatThrownBy(() -> new BundleWriter().write(file.resolve("b"), params(spec())))
                .isInstanceOf(HostException.class)
                .hasMessageContaining(ID);
    }
}
