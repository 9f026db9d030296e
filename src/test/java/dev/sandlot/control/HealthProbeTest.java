package dev.sandlot.control;

import static dev.sandlot.host.RecordingProcessRunner.exit;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.sandlot.host.ProcFs;
import dev.sandlot.host.RecordingProcessRunner;
import dev.sandlot.host.Runsc;
import dev.sandlot.manifest.ExecCheck;
import dev.sandlot.manifest.HealthCheck;
import dev.sandlot.manifest.HttpCheck;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class HealthProbeTest {
    private static final String ID = "sandlot-web.0a1b2c3d";

    @TempDir
    Path dir;

    private final RecordingProcessRunner runner = new RecordingProcessRunner();
    private HttpServer server;

    private HealthProbe probe() {
        return new HealthProbe(new Runsc(runner, "/usr/bin/runsc", Path.of("/run/sandlot/runsc"), List.of(),
                new ProcFs(dir.resolve("proc")), Duration.ofSeconds(7)));
    }

    private static HealthCheck exec(String... argv) {
        return new HealthCheck(null, null, new ExecCheck(List.of(argv)), 10_000, 2_000, 3, 0);
    }

    private static HealthCheck http(int port, int expect) {
        return new HealthCheck(new HttpCheck(port, "/healthz", expect), null, null, 10_000, 2_000, 3, 0);
    }

    /** A server on 127.0.0.1 that answers /healthz with {@code status}. */
    private int serve(int status) throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/healthz", x -> {
            x.sendResponseHeaders(status, -1);
            x.close();
        });
        server.start();
        return server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void anExecCheckRunsItsArgvInsideTheSandboxWithTheCheckTimeoutAndPassesOnExitZero() {
        runner.whenArgv("exec").thenReturn(ok("fine\n"));

        assertThat(probe().check(exec("/bin/check", "--quick"), ID, null)).isNull();

        assertThat(runner.only().argv()).containsExactly("/usr/bin/runsc", "--root", "/run/sandlot/runsc", "exec",
                "--", ID, "/bin/check", "--quick");
        assertThat(runner.only().timeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void anExecCheckThatExitsNonZeroFailsWithTheCodeButNotTheOutput() {
        runner.whenArgv("exec").thenReturn(exit(3, "secret-output", "secret-error"));

        assertThat(probe().check(exec("/bin/check"), ID, null)).isEqualTo("exec exited with code 3");
    }

    @Test
    void anHttpCheckPassesOnTheExpectedStatus() throws Exception {
        int port = serve(204);

        assertThat(probe().check(http(port, 204), ID, "127.0.0.1")).isNull();
    }

    @Test
    void anHttpCheckFailsOnAnyOtherStatusEvenASuccessfulOne() throws Exception {
        int port = serve(200);

        assertThat(probe().check(http(port, 204), ID, "127.0.0.1")).isEqualTo(
                "GET http://127.0.0.1:" + port + "/healthz answered 200, expected 204");
    }

    @Test
    void aRedirectIsNotFollowed() throws Exception {
        int port = serve(302);

        assertThat(probe().check(http(port, 200), ID, "127.0.0.1")).contains("answered 302, expected 200");
    }

    @Test
    void networkChecksWithoutAnAddressFail() {
        assertThat(probe().check(http(80, 200), ID, null)).isEqualTo("the sandbox has no IPv4 address to check");
    }
}
