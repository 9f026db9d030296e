package dev.sandlot.manifest;

/** A {@link HealthCheck} by TCP connect to {@code IP:port} (1 to 65535); healthy when accepted. */
public record TcpCheck(int port) {
}
