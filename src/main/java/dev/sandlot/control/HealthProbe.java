package dev.sandlot.control;

import dev.sandlot.host.ExecResult;
import dev.sandlot.host.HostException;
import dev.sandlot.host.Runsc;
import dev.sandlot.manifest.HealthCheck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One try of a health check: {@code exec} through {@code runsc exec} (exit 0 passes), {@code tcp}
 * (a connection passes) or {@code http} (exactly the expected status passes; redirects are not
 * followed). Apart from the scheduling in {@link HealthMonitor}, so each kind can be tried alone.
 * Failure texts never quote content the sandbox sent.
 */
final class HealthProbe {
    private final Runsc runsc;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    HealthProbe(Runsc runsc) {
        this.runsc = runsc;
    }

    /** One try at {@code id} (address {@code ip}); null on success, else why it failed. */
    String check(HealthCheck c, String id, String ip) {
        Duration timeout = Duration.ofMillis(c.timeoutMillis());
        if (c.exec() != null) {
            try {
                ExecResult r = runsc.execCaptured(id, c.exec().command(), timeout);
                return r.exitCode() == 0 ? null : "exec exited with code " + r.exitCode();
            } catch (HostException e) {
                return "exec failed: " + e.getMessage();
            }
        }
        if (ip == null) {
            return "the sandbox has no IPv4 address to check";
        }
        if (c.tcp() != null) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(ip, c.tcp().port()), (int) c.timeoutMillis());
                return null;
            } catch (IOException e) {
                return "tcp " + ip + ":" + c.tcp().port() + ": " + e.getMessage();
            }
        }
        URI uri = URI.create("http://" + ip + ":" + c.http().port() + c.http().path());
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == c.http().expectStatus() ? null
                    : "GET " + uri + " answered " + r.statusCode() + ", expected " + c.http().expectStatus();
        } catch (IOException e) {
            return "GET " + uri + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
