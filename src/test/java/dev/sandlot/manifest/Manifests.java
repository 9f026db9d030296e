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

    /** A valid manifest using every field added after {@link #FULL}'s, in block style. */
    static final String LATER = """
            apiVersion: sandlot.dev/v1
            kind: Sandbox
            metadata:
              name: web
            spec:
              rootfs:
                image:
                  layout: /srv/images/web
                  ref: "3.12"
              process:
                envFrom: [/etc/sandlot/secrets/web.env]
              networks: [net1]
              restartPolicy: OnFailure
              healthCheck:
                http: {port: 8000, path: /healthz, expectStatus: 200}
                interval: 5s
                timeout: 1s
                failureThreshold: 3
                startPeriod: 2s
              dependsOn: [db]
              suspend: false
              stopSignal: SIGQUIT
              terminationGracePeriod: 30s
              schedule: "0 0 3 * * ?"
              ports:
                - {containerPort: 8000, hostPort: 8080, protocol: tcp, hostIP: 127.0.0.1}
              dns:
                nameservers: [10.0.0.53]
                searches: [example.com]
                options: [ndots:2]
              placement:
                hosts: [web-*]
                hostLabels: {zone: eu}
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
