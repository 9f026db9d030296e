package dev.sandlot.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loopback HTTP endpoint: {@code /healthz} (200 while the loop is alive, else 503) and
 * Prometheus {@code /metrics}. A port already taken is a warning: the daemon's job is sandboxes.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
    private final HttpServer server;

    private HttpEndpoint(HttpServer server) {
        this.server = server;
    }

    /** Starts serving on {@code host:port}; returns null (after a warning) when that fails. */
    public static HttpEndpoint start(String address, Metrics metrics, BooleanSupplier healthy) {
        if (address == null || address.isBlank() || address.equals("off")) {
            return null;
        }
        int colon = address.lastIndexOf(':');
        try {
            String host = colon < 0 ? "127.0.0.1" : address.substring(0, colon);
            int port = Integer.parseInt(colon < 0 ? address : address.substring(colon + 1));
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
            server.createContext("/healthz", ex -> {
                boolean ok = healthy.getAsBoolean();
                reply(ex, ok ? 200 : 503, "text/plain", (ok ? "ok\n" : "unhealthy\n").getBytes(StandardCharsets.UTF_8));
            });
            server.createContext("/metrics", ex -> {
                java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
                metrics.write(body);
                reply(ex, 200, "text/plain; version=0.0.4; charset=utf-8", body.toByteArray());
            });
            server.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "http");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            LOG.info("serving /metrics and /healthz on http://{}:{}", host, server.getAddress().getPort());
            return new HttpEndpoint(server);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("metrics endpoint {} not started ({}); sandboxes are not affected", address, e.getMessage());
            return null;
        }
    }

    private static void reply(HttpExchange ex, int code, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
