package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.host.Cni;
import dev.sandlot.host.CniException;
import dev.sandlot.host.NetworkConfig;
import dev.sandlot.host.SystemProcessRunner;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The failpoint CNI plugin and runsc wrapper the fault ITs rely on, driven through sandlot's real
 * {@link Cni} client and {@link SystemProcessRunner} with a fake delegate (no root, no network):
 * rules count down and match, parallel calls share counts, and every injected fault reaches sandlot
 * as a bounded, printable error or a success, never a hang (RELIABILITY.md item 22 at the client).
 */
@Timeout(120)
class FailpointPluginTest {
    private static final String ID = "sandlot-web.0a1b2c3d";

    @TempDir
    Path tmp;

    private Path bin;
    private Path failpoints;
    private NetworkConfig net;
    private Cni cni;

    @BeforeEach
    void setUp() throws Exception {
        bin = Files.createDirectories(tmp.resolve("bin"));
        install("failpoint");
        install("runsc");
        // The delegate: prints a bridge-like result on ADD, nothing on DEL; logs its calls.
        script("fakebridge", """
                #!/bin/sh
                cat > /dev/null
                echo "$CNI_COMMAND $CNI_CONTAINERID" >> "$(dirname "$0")/fakebridge.log"
                [ "$CNI_COMMAND" = ADD ] && printf '%s' '{"cniVersion":"0.4.0","interfaces":[{"name":"br0"}],"ips":[{"address":"10.9.0.2/24"}]}'
                exit 0
                """);
        failpoints = tmp.resolve("fp");
        Files.writeString(failpoints, "");
        net = NetworkConfig.parse(("{\"cniVersion\":\"0.4.0\",\"name\":\"fpnet\",\"plugins\":[{\"type\":\"failpoint\","
                + "\"delegate\":\"fakebridge\",\"failpoints\":\"" + failpoints + "\"}]}").getBytes(StandardCharsets.UTF_8),
                "test");
        cni = new Cni(new SystemProcessRunner(), List.of(bin), Duration.ofSeconds(5));
    }

    private void install(String name) throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/failpoint-cni/" + name)) {
            Files.copy(in, bin.resolve(name));
        }
        Files.setPosixFilePermissions(bin.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path script(String name, String text) throws Exception {
        Path file = Files.writeString(bin.resolve(name), text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private JsonNode add(String id) throws CniException {
        return cni.add(net, id, tmp.resolve("netns"), "eth0", Map.of());
    }

    private List<String> delegateCalls() throws Exception {
        Path log = bin.resolve("fakebridge.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void rulesCountDownPerCallMatchTheirGlobAndEveryCallIsLogged() throws Exception {
        Files.writeString(failpoints, "# comment\nADD error 2 *victim*:eth0:fakebridge\nDEL error 1\n");

        assertThat(add("sandlot-other.00000000").get("ips").get(0).get("address").asText()).isEqualTo("10.9.0.2/24");
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> add("sandlot-victim.00000000")).isInstanceOf(CniException.class)
                    .hasMessageContaining("failed with code 11: failpoint: injected ADD error");
        }
        assertThat(add("sandlot-victim.00000000")).isNotNull();
        assertThatThrownBy(() -> cni.del(net, ID, tmp.resolve("netns"), "eth0", null))
                .hasMessageContaining("injected DEL error");
        cni.del(net, ID, tmp.resolve("netns"), "eth0", null);

        assertThat(Files.readString(failpoints)).contains("ADD error 0 *victim*:eth0:fakebridge", "DEL error 0 *");
        assertThat(delegateCalls()).containsExactly("ADD sandlot-other.00000000", "ADD sandlot-victim.00000000",
                "DEL " + ID);
        assertThat(FaultHost.cniCalls(failpoints)).extracting(c -> c.command() + " " + c.action())
                .containsExactly("ADD pass", "ADD error", "ADD error", "ADD pass", "DEL error", "DEL pass");
    }

    @Test
    void parallelCallsEachConsumeOneCount() throws Exception {
        Files.writeString(failpoints, "ADD error 3\n");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String id = "sandlot-p" + i + ".00000000";
                Callable<Boolean> call = () -> {
                    try {
                        add(id);
                        return true;
                    } catch (CniException e) {
                        return false;
                    }
                };
                results.add(pool.submit(call));
            }
            int failed = 0;
            for (Future<Boolean> f : results) {
                failed += f.get(60, TimeUnit.SECONDS) ? 0 : 1;
            }
            assertThat(failed).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"error", "error-after", "empty", "empty-after", "garbage", "garbage-after", "huge",
        "huge-after", "flood", "flood-after", "crash", "crash-after", "hang", "hang-after"})
    void everyInjectedAddFaultIsABoundedPrintableErrorNeverAHang(String action) throws Exception {
        Files.writeString(failpoints, "ADD " + action + " 1\n");
        long start = System.nanoTime();
        assertThatThrownBy(() -> add(ID)).isInstanceOf(CniException.class).satisfies(e -> {
            assertThat(e.getMessage().length()).as(e.getMessage()).isLessThan(3_000);
            assertThat(e.getMessage().chars().filter(c -> c < 0x20).count()).as(e.getMessage()).isZero();
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        assertThat(delegateCalls()).hasSize(action.endsWith("-after") ? 1 : 0);
        if (action.startsWith("hang")) {
            assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(bin.toString())))
                    .as("the hung plugin and its child were killed").isEmpty();
        }
        // The next call passes.
        assertThat(add(ID)).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"delay:1", "pass"})
    void aDelayedOrPassingAddSucceeds(String action) throws Exception {
        Files.writeString(failpoints, "ADD " + action + " 1\n");
        assertThat(add(ID).get("ips")).isNotNull();
    }

    @Test
    void theRunscWrapperIgnoresFailsOrPassesThroughWithTheArgumentsUnchanged() throws Exception {
        Path real = script("real-runsc", """
                #!/bin/sh
                echo "$*" >> "$(dirname "$0")/real-runsc.log"
                """);
        Files.writeString(bin.resolve("runsc.failpoints"), "kill ignore 1 *victim*\ndelete error 1\n");
        List<String> exits = new ArrayList<>();
        for (List<String> args : List.of(
                List.of("--root", "/r", "--network=host", "kill", "--", "sandlot-victim.1", "TERM"),
                List.of("--root", "/r", "--network=host", "kill", "--", "sandlot-victim.1", "KILL"),
                List.of("--root", "/r", "delete", "--", "sandlot-victim.1"),
                List.of("--root", "/r", "delete", "--", "sandlot-victim.1"))) {
            List<String> argv = new ArrayList<>(List.of(bin.resolve("runsc").toString()));
            argv.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
            pb.environment().put("SANDLOT_REAL_RUNSC", real.toString());
            Process p = pb.start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            exits.add(args.get(args.indexOf("--") - 1) + "=" + p.exitValue());
        }
        assertThat(exits).containsExactly("kill=0", "kill=0", "delete=1", "delete=0");
        assertThat(Files.readAllLines(bin.resolve("real-runsc.log"))).containsExactly(
                "--root /r --network=host kill -- sandlot-victim.1 KILL", "--root /r delete -- sandlot-victim.1");
        assertThat(Files.readAllLines(bin.resolve("runsc.failpoints.log")))
                .extracting(l -> l.substring(l.indexOf(' ') + 1))
                .containsExactly("kill sandlot-victim.1 ignore", "kill sandlot-victim.1 pass",
                        "delete sandlot-victim.1 error", "delete sandlot-victim.1 pass");
    }
}
