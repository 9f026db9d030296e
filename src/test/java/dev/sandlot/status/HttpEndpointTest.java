package dev.sandlot.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.Cgroups;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class HttpEndpointTest {
    private final Metrics metrics = new Metrics(Map::of, new Cgroups(Path.of("/nonexistent-cgroup-root")));
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private HttpResponse<String> get(HttpEndpoint endpoint, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthzSaysOkWhileHealthyAnd503Otherwise() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1:0", metrics, healthy::get)) {
            assertThat(endpoint).isNotNull();
            assertThat(endpoint.port()).isPositive();

            HttpResponse<String> ok = get(endpoint, "/healthz");
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("ok\n");

            healthy.set(false);
            assertThat(get(endpoint, "/healthz").statusCode()).isEqualTo(503);
        }
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        metrics.manifestErrors(2);
        try (HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1:0", metrics, () -> true)) {
            HttpResponse<String> r = get(endpoint, "/metrics");

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(r.body()).contains("# TYPE sandlot_manifest_errors gauge").contains("sandlot_manifest_errors 2.0");
        }
    }

    @Test
    void aPortAlreadyTakenIsAWarningNotAnError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(HttpEndpoint.start("127.0.0.1:" + taken.getLocalPort(), metrics, () -> true)).isNull();
        }
    }

    @Test
    void offBlankOrGarbledAddressesServeNothing() {
        assertThat(HttpEndpoint.start("off", metrics, () -> true)).isNull();
        assertThat(HttpEndpoint.start("", metrics, () -> true)).isNull();
        assertThat(HttpEndpoint.start(null, metrics, () -> true)).isNull();
        assertThat(HttpEndpoint.start("127.0.0.1:http", metrics, () -> true)).isNull();
    }

    @Test
    void aPortOutOfRangeIsAWarningNotAnError() {
        assertThat(HttpEndpoint.start("127.0.0.1:99999", metrics, () -> true)).isNull();
        assertThat(HttpEndpoint.start("127.0.0.1:-1", metrics, () -> true)).isNull();
    }

    @Test
    void aHostThatDoesNotResolveIsAWarningNotAnError() {
        assertThat(HttpEndpoint.start("no-such-host.invalid:9464", metrics, () -> true)).isNull();
    }
}
