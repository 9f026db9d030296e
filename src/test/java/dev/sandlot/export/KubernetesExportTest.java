package dev.sandlot.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sandlot.cli.Main;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.manifest.ParseResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesExportTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static final String WEB = """
            apiVersion: sandlot.dev/v1
            kind: Sandbox
            metadata:
              name: web
              labels: {app: web, tier: front}
            spec:
              rootfs: {path: /srv/sandlot/rootfs/busybox}
              process:
                args: ["/bin/httpd", "-f", "-p", "8000"]
                cwd: /var/www/html
                env: {GREETING: hello, MODE: prod}
                envFrom: [/etc/sandlot/secrets/web.env]
                user: {uid: 1000, gid: 1000}
              hostname: www
              networks: [mynet]
              mounts:
                - {source: /srv/www, destination: /var/www/html, readOnly: true}
                - {source: /srv/data, destination: /data, readOnly: false}
              resources: {memory: 256Mi, cpus: 0.5, pids: 256}
              restartPolicy: OnFailure
              healthCheck:
                http: {port: 8000, path: /healthz}
                interval: 5s
                timeout: 2s
                failureThreshold: 4
                startPeriod: 3s
              ports:
                - {containerPort: 8000, hostPort: 8080, protocol: tcp}
                - {containerPort: 5353, hostPort: 5353, protocol: udp, hostIP: 127.0.0.1}
              dns:
                nameservers: [10.0.0.53]
                searches: [svc.example.com]
                options: [edns0, "ndots:2"]
              placement:
                hosts: ["web-*"]
                hostLabels: {role: web}
            """;

    private static final String BACKUP = """
            apiVersion: sandlot.dev/v1
            kind: Sandbox
            metadata: {name: backup}
            spec:
              rootfs: {archive: /srv/images/Tools_2.tar.gz}
              process: {args: ["/bin/sh", "-c", "date >> /data/backups.log"]}
              restartPolicy: Never
              schedule: "0 30 2 ? * 2-6"
              healthCheck: {tcp: {port: 9000}}
            """;

    private static List<Manifest> parse(String yaml) {
        ParseResult r = ManifestParser.parse("/m/x.yaml", yaml.getBytes(StandardCharsets.UTF_8), List.of(Path.of("/srv")));
        assertThat(r.errors()).isEmpty();
        return r.manifests();
    }

    private static List<JsonNode> documents(String yaml) throws Exception {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (it.hasNext()) {
                docs.add(it.next());
            }
        }
        return docs;
    }

    @Test
    void aSandboxBecomesAPodUnderGvisorWithEveryFieldThatHasAnEquivalent() throws Exception {
        String out = KubernetesExport.export(parse(WEB));
        List<JsonNode> docs = documents(out);
        assertThat(docs).hasSize(1);
        JsonNode pod = docs.get(0);

        assertThat(pod.path("apiVersion").asText()).isEqualTo("v1");
        assertThat(pod.path("kind").asText()).isEqualTo("Pod");
        assertThat(pod.at("/metadata/name").asText()).isEqualTo("web");
        assertThat(pod.at("/metadata/labels/app").asText()).isEqualTo("web");
        JsonNode spec = pod.get("spec");
        assertThat(spec.path("runtimeClassName").asText()).isEqualTo("gvisor");
        assertThat(spec.path("hostname").asText()).isEqualTo("www");
        assertThat(spec.path("restartPolicy").asText()).isEqualTo("OnFailure");
        assertThat(spec.at("/nodeSelector/role").asText()).isEqualTo("web");
        assertThat(spec.path("dnsPolicy").asText()).isEqualTo("None");
        assertThat(spec.at("/dnsConfig/nameservers/0").asText()).isEqualTo("10.0.0.53");
        assertThat(spec.at("/dnsConfig/searches/0").asText()).isEqualTo("svc.example.com");
        assertThat(spec.at("/dnsConfig/options/1/name").asText()).isEqualTo("ndots");
        assertThat(spec.at("/dnsConfig/options/1/value").asText()).isEqualTo("2");
        assertThat(spec.at("/volumes/0/hostPath/path").asText()).isEqualTo("/srv/www");
        assertThat(spec.at("/volumes/1/name").asText()).isEqualTo("mount-1");

        JsonNode c = spec.at("/containers/0");
        assertThat(c.path("name").asText()).isEqualTo("web");
        assertThat(c.path("image").asText()).isEqualTo("REPLACE-ME/web:latest");
        assertThat(YAML.convertValue(c.get("command"), List.class)).containsExactly("/bin/httpd", "-f", "-p", "8000");
        assertThat(c.path("workingDir").asText()).isEqualTo("/var/www/html");
        assertThat(c.at("/env/0/name").asText()).isEqualTo("GREETING");
        assertThat(c.at("/env/0/value").asText()).isEqualTo("hello");
        assertThat(c.at("/envFrom/0/secretRef/name").asText()).isEqualTo("web-web");
        assertThat(c.at("/securityContext/runAsUser").asInt()).isEqualTo(1000);
        assertThat(c.at("/resources/limits/memory").asText()).isEqualTo("268435456");
        assertThat(c.at("/resources/limits/cpu").asText()).isEqualTo("500m");
        assertThat(c.at("/ports/0/containerPort").asInt()).isEqualTo(8000);
        assertThat(c.at("/ports/0/hostPort").asInt()).isEqualTo(8080);
        assertThat(c.at("/ports/0/protocol").asText()).isEqualTo("TCP");
        assertThat(c.at("/ports/1/protocol").asText()).isEqualTo("UDP");
        assertThat(c.at("/ports/1/hostIP").asText()).isEqualTo("127.0.0.1");
        assertThat(c.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/var/www/html");
        assertThat(c.at("/volumeMounts/0/readOnly").asBoolean()).isTrue();
        assertThat(c.at("/volumeMounts/1/readOnly").asBoolean()).isFalse();
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
            JsonNode p = c.get(probe);
            assertThat(p.at("/httpGet/path").asText()).as(probe).isEqualTo("/healthz");
            assertThat(p.at("/httpGet/port").asInt()).isEqualTo(8000);
            assertThat(p.path("periodSeconds").asInt()).isEqualTo(5);
            assertThat(p.path("timeoutSeconds").asInt()).isEqualTo(2);
            assertThat(p.path("failureThreshold").asInt()).isEqualTo(4);
            assertThat(p.path("initialDelaySeconds").asInt()).isEqualTo(3);
        }

        assertThat(out).contains("# image: PLACEHOLDER; a rootfs directory (/srv/sandlot/rootfs/busybox) has no registry image")
                .contains("kubectl create secret generic web-web --from-env-file=/etc/sandlot/secrets/web.env")
                .contains("resources.pids 256 is not expressible")
                .contains("placement.hosts [web-*]");
    }

    @Test
    void aScheduledSandboxBecomesACronJobAndDocumentsAreSeparated() throws Exception {
        List<Manifest> both = new ArrayList<>(parse(WEB));
        both.addAll(parse(BACKUP));
        String out = KubernetesExport.export(both);
        List<JsonNode> docs = documents(out);

        assertThat(docs).extracting(d -> d.path("kind").asText()).containsExactly("Pod", "CronJob");
        assertThat(out.lines().filter(l -> l.equals("---")).count()).isEqualTo(2);
        JsonNode cron = docs.get(1);
        assertThat(cron.path("apiVersion").asText()).isEqualTo("batch/v1");
        assertThat(cron.at("/spec/schedule").asText()).as("Quartz MON-FRI 2-6 is 1-5 from Sunday=0").isEqualTo("30 2 * * 1-5");
        assertThat(cron.at("/spec/concurrencyPolicy").asText()).isEqualTo("Forbid");
        JsonNode pod = cron.at("/spec/jobTemplate/spec/template/spec");
        assertThat(pod.path("runtimeClassName").asText()).isEqualTo("gvisor");
        assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
        assertThat(pod.at("/containers/0/image").asText()).isEqualTo("tools_2:latest");
        assertThat(pod.at("/containers/0/livenessProbe/tcpSocket/port").asInt()).isEqualTo(9000);
        assertThat(pod.at("/containers/0/livenessProbe/periodSeconds").asInt()).isEqualTo(10);
    }

    @Test
    void quartzSchedulesBecomeFiveFieldsWithWhatIsLostNoted() {
        List<String> notes = new ArrayList<>();
        assertThat(KubernetesExport.cron("0 0 3 * * ?", notes)).isEqualTo("0 3 * * *");
        assertThat(KubernetesExport.cron("0 */5 * ? * 1,7", notes)).isEqualTo("*/5 * * * 0,6");
        assertThat(KubernetesExport.cron("0 0 12 ? * 2/2", notes)).isEqualTo("0 12 * * 1/2");
        assertThat(notes).isEmpty();
        assertThat(KubernetesExport.cron("15 0 12 L * ? 2030", notes)).isEqualTo("0 12 L * *");
        assertThat(notes).hasSize(3);
    }

    @Test
    void theCommandExportsFoldersAndRefusesInvalidFilesPrintingNothing(@TempDir Path root) throws Exception {
        Path dir = Files.createDirectories(root.resolve("manifests"));
        Files.writeString(dir.resolve("web.yaml"), WEB);
        Files.writeString(dir.resolve("backup.yaml"), BACKUP);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "export", "--kubernetes",
                "--config", root.resolve("none.yaml").toString(), dir.toString());
        assertThat(exit).as(err.toString()).isEqualTo(1); // --config names a missing file
        Files.writeString(root.resolve("config.yaml"), "# nothing\n");

        exit = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "export", "--kubernetes",
                "--config", root.resolve("config.yaml").toString(), dir.toString());
        assertThat(exit).as(err.toString()).isZero();
        assertThat(documents(out.toString())).extracting(d -> d.at("/metadata/name").asText())
                .containsExactly("backup", "web");

        Files.writeString(dir.resolve("broken.yaml"), "apiVersion: sandlot.dev/v1\nkind: Sandbox\n");
        StringWriter out2 = new StringWriter();
        exit = Main.execute(new PrintWriter(out2, true), new PrintWriter(err, true), "export", "--kubernetes",
                "--config", root.resolve("config.yaml").toString(), dir.toString());
        assertThat(exit).isEqualTo(1);
        assertThat(out2.toString()).isEmpty();
        assertThat(err.toString()).contains("broken.yaml").contains("nothing exported");
    }
}
