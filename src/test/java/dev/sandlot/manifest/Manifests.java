package dev.sandlot.manifest;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Test helpers: parse YAML text as file "t.yaml" and look at the errors as rendered. */
final class Manifests {
    static final String FILE = "t.yaml";

    /** A valid manifest using every field; line numbers matter to the tests that edit it. */
    static final String FULL = """
            apiVersion: sandlot.dev/v1
            kind: Sandbox
            metadata:
              name: web
              labels: {app: web}
            spec:
              rootfs:
                path: /srv/rootfs/web
              process:
                args: ["/bin/httpd", "-f"]
                cwd: /var/www
                env: {GREETING: hello}
                user: {uid: 1000, gid: 1000}
              hostname: web
              networks: [net1]
              mounts:
                - {source: /srv/www, destination: /var/www, readOnly: true}
              resources: {memory: 256Mi, cpus: 0.5, pids: 256}
              restartPolicy: Always
            """;

    static final String MINIMAL = """
            apiVersion: sandlot.dev/v1
            kind: Sandbox
            metadata: {name: web}
            spec:
              rootfs: {path: /srv/rootfs/web}
              process: {args: [/bin/true]}
            """;

    private Manifests() {
    }

    static ParseResult parse(String yaml) {
        return ManifestParser.parse(FILE, yaml.getBytes(StandardCharsets.UTF_8));
    }

    static ParseResult parse(byte[] bytes) {
        return ManifestParser.parse(FILE, bytes);
    }

    /** The errors as printed, without the leading "t.yaml:". */
    static List<String> errors(String yaml) {
        return errors(parse(yaml));
    }

    static List<String> errors(ParseResult result) {
        return result.errors().stream().map(e -> e.toString().substring(FILE.length() + 1)).toList();
    }

    /** {@link #FULL} with one line (1-based) replaced; an empty replacement removes the line. */
    static String fullWithLine(int line, String replacement) {
        List<String> lines = new java.util.ArrayList<>(FULL.lines().toList());
        if (replacement.isEmpty()) {
            lines.remove(line - 1);
        } else {
            lines.set(line - 1, replacement);
        }
        return String.join("\n", lines) + "\n";
    }
}
