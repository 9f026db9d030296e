package dev.sandlot.manifest;

/**
 * A {@link HealthCheck} by HTTP GET of {@code http://IP:port/path} against the sandbox's IP;
 * healthy when the response status is {@code expectStatus}.
 *
 * @param port         1 to 65535
 * @param path         an absolute URL path (query allowed): starts with "/", only URL characters and
 *                     %XX escapes, no spaces or control characters; default "/"
 * @param expectStatus 100 to 599; default 200
 */
public record HttpCheck(int port, String path, int expectStatus) {
    public static final String DEFAULT_PATH = "/";
    public static final int DEFAULT_EXPECT_STATUS = 200;
}
