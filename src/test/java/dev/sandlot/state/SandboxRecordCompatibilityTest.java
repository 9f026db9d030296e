package dev.sandlot.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.manifest.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sandbox.json} records written before the spec grew its lifecycle, networking, placement
 * and image fields must still read back, to the same spec and the same hash: otherwise an upgrade
 * would lose or replace every running sandbox.
 */
class SandboxRecordCompatibilityTest {
    private static final SandboxId WEB = new SandboxId("sandlot-web.0123abcd");

    /** Exactly what the previous version wrote for the manifest below (format 1). */
    private static final String OLD_RECORD = """
            {
              "format" : 1,
              "id" : "sandlot-web.0123abcd",
              "name" : "web",
              "specHash" : "0b9fdc0c8f29ac01b19186087e225a61",
              "spec" : {
                "rootfs" : {
                  "path" : "/srv/rootfs/web",
                  "archive" : null
                },
                "process" : {
                  "args" : [ "/bin/httpd", "-f" ],
                  "cwd" : "/var/www",
                  "env" : {
                    "GREETING" : "hello"
                  },
                  "user" : {
                    "uid" : 1000,
                    "gid" : 1000
                  }
                },
                "hostname" : "web",
                "networks" : [ "net1" ],
                "mounts" : [ {
                  "source" : "/srv/www",
                  "destination" : "/var/www",
                  "readOnly" : true
                } ],
                "resources" : {
                  "memoryBytes" : 268435456,
                  "milliCpus" : 500,
                  "pids" : 256
                },
                "restartPolicy" : "Always"
              },
              "sourceFile" : "web.yaml",
              "createdAt" : "2026-11-20T10:15:30Z",
              "bootId" : "5f2b0c1e-8d1a-4c1e-9a55-0c7c8e2f9b10"
            }
            """;

    private static final String MANIFEST = """
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

    @TempDir
    Path dir;

    StateStore store;

    @BeforeEach
    void init() throws IOException {
        store = new StateStore(dir);
        store.init();
    }

    @Test
    void aRecordWrittenBeforeTheNewSpecFieldsReadsBackWithTheirAbsentValuesAndTheSameHash() throws IOException {
        Files.createDirectories(store.sandboxDir(WEB));
        Files.writeString(store.sandboxDir(WEB).resolve("sandbox.json"), OLD_RECORD, StandardCharsets.UTF_8);

        StoredSandbox stored = store.load(WEB);

        assertThat(stored.problems()).isEmpty();
        SandboxSpec spec = stored.record().spec();
        assertThat(spec.healthCheck()).isNull();
        assertThat(spec.dependsOn()).isEmpty();
        assertThat(spec.suspend()).isFalse();
        assertThat(spec.stopSignal()).isNull();
        assertThat(spec.effectiveStopSignal()).isEqualTo("TERM");
        assertThat(spec.terminationGracePeriodMillis()).isNull();
        assertThat(spec.gracePeriod()).hasSeconds(10);
        assertThat(spec.schedule()).isNull();
        assertThat(spec.ports()).isEmpty();
        assertThat(spec.dns()).isNull();
        assertThat(spec.placement()).isNull();
        assertThat(spec.process().envFrom()).isEmpty();
        assertThat(spec.rootfs().image()).isNull();

        SandboxSpec fromManifest = ManifestParser.parse("web.yaml", MANIFEST.getBytes(StandardCharsets.UTF_8))
                .manifests().get(0).spec();
        assertThat(spec).isEqualTo(fromManifest);
        assertThat(dev.sandlot.manifest.SpecHash.of(spec)).isEqualTo(stored.record().specHash());
    }

    @Test
    void aRecordWithoutTheNewFieldsIsWrittenAsBeforeSoAnOlderSandlotReadsIt() throws IOException {
        Files.createDirectories(store.sandboxDir(WEB));
        Files.writeString(store.sandboxDir(WEB).resolve("sandbox.json"), OLD_RECORD, StandardCharsets.UTF_8);
        SandboxRecord record = store.load(WEB).record();

        store.writeSandbox(record);

        assertThat(Files.readString(store.sandboxDir(WEB).resolve("sandbox.json"), StandardCharsets.UTF_8))
                .isEqualTo(OLD_RECORD.strip());
    }
}
