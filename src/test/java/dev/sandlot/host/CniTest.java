package dev.sandlot.host;

import static dev.sandlot.host.RecordingProcessRunner.env;
import static dev.sandlot.host.RecordingProcessRunner.exit;
import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static dev.sandlot.host.RecordingProcessRunner.stdinJson;
import static dev.sandlot.host.RecordingProcessRunner.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "sandlot-web.0a1b2c3d";
    private static final Path NETNS = Path.of("/run/netns/" + ID);
    private static final String BRIDGE_RESULT = "{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"cni0\"},"
            + "{\"name\":\"veth1\"},{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
            + "\"ips\":[{\"version\":\"4\",\"interface\":2,\"address\":\"10.22.0.5/16\",\"gateway\":\"10.22.0.1\"}]}";
    private static final String TUNING_RESULT = BRIDGE_RESULT.replace("10.22.0.5", "10.22.0.6");
    private static final String PORTMAP_RESULT = BRIDGE_RESULT.replace("10.22.0.5", "10.22.0.7");

    @TempDir
    Path tmp;

    private Path bin1;
    private Path bin2;
    private final RecordingProcessRunner runner = new RecordingProcessRunner();
    private NetworkConfig net;

    @BeforeEach
    void setUp() throws Exception {
        bin1 = Files.createDirectories(tmp.resolve("opt-cni-bin"));
        bin2 = Files.createDirectories(tmp.resolve("usr-lib-cni"));
        plugin(bin1, "portmap");
        plugin(bin2, "bridge");
        plugin(bin2, "tuning");
        plugin(bin2, "portmap");
        plugin(bin2, "loopback");
        net = NetworkConfig.parse(("{\"cniVersion\":\"0.4.0\",\"name\":\"mynet\",\"plugins\":["
                + "{\"type\":\"bridge\",\"bridge\":\"cni0\",\"name\":\"ignored\",\"ipam\":{\"type\":\"host-local\"}},"
                + "{\"type\":\"tuning\",\"capabilities\":{\"mac\":true}},"
                + "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true,\"bandwidth\":false}}]}")
                .getBytes(StandardCharsets.UTF_8), "test");
    }

    private static void plugin(Path dir, String name) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\nexit 99\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Cni cni() {
        return new Cni(runner, List.of(bin1, bin2), Duration.ofSeconds(9));
    }

    private void chainSucceeds() {
        runner.whenArgv("bridge").thenReturn(ok(BRIDGE_RESULT));
        runner.whenArgv("tuning").thenReturn(ok(TUNING_RESULT));
        runner.whenArgv("portmap").thenReturn(ok(PORTMAP_RESULT));
    }

    @Test
    void addRunsThePluginsInOrderFromTheFirstBinDirThatHasThem() throws Exception {
        chainSucceeds();

        cni().add(net, ID, NETNS, "eth0", Map.of());

        assertThat(runner.argvs()).containsExactly(
                List.of(bin2.resolve("bridge").toString()),
                List.of(bin2.resolve("tuning").toString()),
                List.of(bin1.resolve("portmap").toString()));
    }

    @Test
    void addPassesExactlyTheCniEnvironmentAndAPath() throws Exception {
        chainSucceeds();

        cni().add(net, ID, NETNS, "eth0", Map.of());

        for (ExecRequest r : runner.requests()) {
            assertThat(r.env()).isEqualTo(Map.of(
                    "CNI_COMMAND", "ADD",
                    "CNI_CONTAINERID", ID,
                    "CNI_NETNS", NETNS.toString(),
                    "CNI_IFNAME", "eth0",
                    "CNI_PATH", bin1 + ":" + bin2,
                    "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
            assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(9));
            assertThat(r.outputFile()).isNull();
        }
    }

    @Test
    void addChainsPrevResultAndReturnsTheLastResult() throws Exception {
        chainSucceeds();

        JsonNode result = cni().add(net, ID, NETNS, "eth0", Map.of());

        List<ExecRequest> calls = runner.requests();
        JsonNode bridge = stdinJson(calls.get(0));
        assertThat(bridge.has("prevResult")).isFalse();
        assertThat(bridge.get("name").asText()).isEqualTo("mynet");
        assertThat(bridge.get("cniVersion").asText()).isEqualTo("0.4.0");
        assertThat(bridge.get("type").asText()).isEqualTo("bridge");
        assertThat(bridge.get("bridge").asText()).isEqualTo("cni0");
        assertThat(bridge.get("ipam")).isEqualTo(JSON.readTree("{\"type\":\"host-local\"}"));
        assertThat(stdinJson(calls.get(1)).get("prevResult")).isEqualTo(JSON.readTree(BRIDGE_RESULT));
        assertThat(stdinJson(calls.get(2)).get("prevResult")).isEqualTo(JSON.readTree(TUNING_RESULT));
        assertThat(result).isEqualTo(JSON.readTree(PORTMAP_RESULT));
    }

    @Test
    void runtimeConfigGoesOnlyToPluginsThatDeclareTheCapability() throws Exception {
        chainSucceeds();
        List<Map<String, Object>> ports = List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp"));

        cni().add(net, ID, NETNS, "eth0", Map.of("portMappings", ports, "bandwidth", Map.of("ingressRate", 1),
                "ips", List.of("10.22.0.9/16")));

        List<ExecRequest> calls = runner.requests();
        assertThat(stdinJson(calls.get(0)).has("runtimeConfig")).isFalse();
        assertThat(stdinJson(calls.get(1)).has("runtimeConfig")).isFalse();
        assertThat(stdinJson(calls.get(2)).get("runtimeConfig")).isEqualTo(JSON.readTree(
                "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}"));
    }

    @Test
    void aPluginErrorResultIsParsedAndStopsTheChain() {
        runner.whenArgv("bridge").thenReturn(exit(1,
                "{\"cniVersion\":\"0.4.0\",\"code\":999,\"msg\":\"failed to locate iptables\","
                        + "\"details\":\"exec: \\\"iptables\\\": not in $PATH\\u001b[0m\"}", ""));

        assertThatThrownBy(() -> cni().add(net, ID, NETNS, "eth0", Map.of()))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.code()).isEqualTo(999);
                    assertThat(e.cniMsg()).isEqualTo("failed to locate iptables");
                    assertThat(e.details()).isEqualTo("exec: \"iptables\": not in $PATH[0m");
                    assertThat(e.getMessage())
                            .contains("CNI ADD of network 'mynet' (plugin bridge, 1 of 3) for " + ID + " eth0")
                            .contains("code 999: failed to locate iptables")
                            .doesNotContain("\u001b");
                });
        assertThat(runner.requests()).hasSize(1);
    }

    @Test
    void aFailureWithoutAnErrorResultReportsExitCodeAndStderr() {
        runner.whenArgv("bridge").thenReturn(exit(2, "not json", "panic: runtime error\ngoroutine 1\n"));

        assertThatThrownBy(() -> cni().add(net, ID, NETNS, "eth0", Map.of()))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.code()).isEqualTo(CniException.NO_CODE);
                    assertThat(e.getMessage()).contains("exit code 2").contains("panic: runtime error; goroutine 1")
                            .contains("'not json'");
                });
    }

    @Test
    void aFailureWithNoOutputAtAllSaysSo() {
        runner.whenArgv("bridge").thenReturn(exit(1, "", ""));

        assertThatThrownBy(() -> cni().add(net, ID, NETNS, "eth0", Map.of()))
                .hasMessageContaining("exit code 1 and no error message");
    }

    @Test
    void emptyOrGarbageOutputOnSuccessIsAnError() {
        for (String out : List.of("", "   \n", "garbage", "[1,2]", "{\"a\":1} {\"b\":2}", "null")) {
            runner.whenArgv("bridge").thenReturn(ok(out));
            assertThatThrownBy(() -> cni().add(net, ID, NETNS, "eth0", Map.of())).as(out)
                    .isInstanceOf(CniException.class)
                    .hasMessageContaining("plugin bridge")
                    .hasMessageContaining("succeeded but");
        }
    }

    @Test
    void aMissingPluginNamesTheDirsSearched() {
        NetworkConfig macvlan = NetworkConfig.loopback();
        runner.lenient();
        assertThatThrownBy(() -> cni().add(withType("macvlan"), ID, NETNS, "eth0", Map.of()))
                .isInstanceOf(CniException.class)
                .hasMessageContaining("plugin 'macvlan' not found in " + bin1 + ", " + bin2);
        assertThat(runner.requests()).isEmpty();
        assertThat(macvlan.name()).isEqualTo("lo");
    }

    @Test
    void aHangingPluginIsReportedAsTimedOut() {
        runner.whenArgv("bridge").thenReturn(timeout());

        assertThatThrownBy(() -> cni().add(net, ID, NETNS, "eth0", Map.of()))
                .isInstanceOf(CniException.class)
                .hasMessageContaining("timed out");
    }

    @Test
    void delRunsTheChainInReverseWithThePrevResult() throws Exception {
        runner.whenArgv("bridge").thenReturn(ok(""));
        runner.whenArgv("tuning").thenReturn(ok(""));
        runner.whenArgv("portmap").thenReturn(ok(""));

        cni().del(net, ID, NETNS, "eth0", JSON.readTree(PORTMAP_RESULT));

        assertThat(runner.argvs()).extracting(a -> Path.of(a.get(0)).getFileName().toString())
                .containsExactly("portmap", "tuning", "bridge");
        for (ExecRequest r : runner.requests()) {
            assertThat(r.env()).containsEntry("CNI_COMMAND", "DEL").containsEntry("CNI_CONTAINERID", ID)
                    .containsEntry("CNI_NETNS", NETNS.toString()).containsEntry("CNI_IFNAME", "eth0");
            assertThat(stdinJson(r).get("prevResult")).isEqualTo(JSON.readTree(PORTMAP_RESULT));
            assertThat(stdinJson(r).has("runtimeConfig")).isFalse();
        }
    }

    @Test
    void delBeforeCni040GetsNoPrevResultAsInLibcni() throws Exception {
        runner.whenArgv("loopback").thenReturn(ok(""));

        cni().del(NetworkConfig.loopback(), ID, NETNS, "lo", JSON.readTree(BRIDGE_RESULT));

        assertThat(stdinJson(runner.only()).has("prevResult")).isFalse();
        assertThat(stdinJson(runner.only()).get("name").asText()).isEqualTo("lo");
    }

    @Test
    void delWithoutARecordedResultStillRuns() throws Exception {
        runner.lenient();

        cni().del(net, ID, NETNS, "eth0", null);

        assertThat(runner.requests()).hasSize(3).allSatisfy(r -> assertThat(stdinJson(r).has("prevResult")).isFalse());
    }

    @Test
    void delTreatsContainerUnknownAndNotFoundAsDone() throws Exception {
        runner.whenArgv("portmap").thenReturn(exit(1, "{\"code\":3,\"msg\":\"container unknown\"}", ""));
        runner.whenArgv("tuning").thenReturn(exit(1, "{\"code\":999,\"msg\":\"link eth0 not found\"}", ""));
        runner.whenArgv("bridge").thenReturn(exit(1,
                "{\"code\":999,\"msg\":\"running [/usr/sbin/iptables -t nat -D POSTROUTING ...]: exit status 1:"
                        + " iptables: Chain 'CNI-be7ebe97f2ac10e898eaf962' does not exist\"}", ""));

        cni().del(net, ID, NETNS, "eth0", null);

        assertThat(runner.requests()).hasSize(3);
    }

    @Test
    void delTriesEveryPluginAndThenThrowsTheFirstRealFailure() {
        runner.whenArgv("portmap").thenReturn(exit(1, "{\"code\":5,\"msg\":\"i/o failure\"}", ""));
        runner.whenArgv("tuning").thenReturn(ok(""));
        runner.whenArgv("bridge").thenReturn(exit(1, "{\"code\":11,\"msg\":\"try again later\"}", ""));

        assertThatThrownBy(() -> cni().del(net, ID, NETNS, "eth0", null))
                .isInstanceOfSatisfying(CniException.class, e -> {
                    assertThat(e.code()).isEqualTo(5);
                    assertThat(e.getMessage()).contains("CNI DEL of network 'mynet' (plugin portmap, 3 of 3)");
                    assertThat(e.getSuppressed()).singleElement()
                            .satisfies(s -> assertThat(((CniException) s).code()).isEqualTo(11));
                });
        assertThat(runner.requests()).hasSize(3);
    }

    @Test
    void delWithAMissingPluginStillDeletesWithTheOthers() throws Exception {
        runner.lenient();
        Files.delete(bin1.resolve("portmap"));
        Files.delete(bin2.resolve("portmap"));

        assertThatThrownBy(() -> cni().del(net, ID, NETNS, "eth0", null)).hasMessageContaining("not found");
        assertThat(runner.requests()).hasSize(2);
    }

    @Test
    void invalidIdsAndInterfaceNamesAreRejectedBeforeAnythingRuns() {
        runner.lenient();
        for (String ifname : List.of("", "eth0/x", "a:b", "a b", "0123456789abcdef", ".", "..")) {
            assertThatThrownBy(() -> cni().add(net, ID, NETNS, ifname, Map.of())).as(ifname)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        for (String id : List.of("", "-x", "a/b", "a b")) {
            assertThatThrownBy(() -> cni().del(net, id, NETNS, "eth0", null)).as(id)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(runner.requests()).isEmpty();
    }

    @Test
    void cniVersionComparison() {
        assertThat(Cni.atLeast("0.4.0", 0, 4)).isTrue();
        assertThat(Cni.atLeast("1.0.0", 0, 4)).isTrue();
        assertThat(Cni.atLeast("0.3.1", 0, 4)).isFalse();
        assertThat(Cni.atLeast("", 0, 4)).isFalse();
        assertThat(Cni.atLeast("x.y", 0, 4)).isFalse();
    }

    @Test
    void findPluginNeedsAnExecutableRegularFile() throws IOException {
        Files.writeString(bin1.resolve("noexec"), "");
        Files.createDirectories(bin1.resolve("adir"));

        assertThat(cni().findPlugin("bridge")).contains(bin2.resolve("bridge"));
        assertThat(cni().findPlugin("noexec")).isEmpty();
        assertThat(cni().findPlugin("adir")).isEmpty();
        assertThat(runner.count(env("CNI_COMMAND", "ADD"))).isZero();
    }

    private NetworkConfig withType(String type) {
        try {
            return NetworkConfig.parse(("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"" + type
                    + "\"}]}").getBytes(StandardCharsets.UTF_8), "test");
        } catch (CniException e) {
            throw new AssertionError(e);
        }
    }
}
