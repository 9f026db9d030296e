package dev.sandlot.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.sandlot.manifest.Dns;
import dev.sandlot.manifest.HealthCheck;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.MountSpec;
import dev.sandlot.manifest.PortMapping;
import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.Resources;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.manifest.SandboxSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code sandlot export --kubernetes}: each sandbox as a Kubernetes Pod (a CronJob when it has a
 * schedule) that runs under gVisor ({@code runtimeClassName: gvisor}), for users who move to a
 * cluster. What has no Kubernetes equivalent, or needs a decision only the user can make (the
 * image, Secrets for envFrom files), is said in comments above each document; secret values are
 * never read.
 */
public final class KubernetesExport {
    public static final String RUNTIME_CLASS = "gvisor";
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    private KubernetesExport() {
    }

    /** Every manifest as one YAML document (in order), separated by {@code ---}. */
    public static String export(List<Manifest> manifests) {
        StringBuilder out = new StringBuilder();
        for (Manifest m : manifests) {
            Document d = document(m);
            out.append("---\n");
            out.append("# ").append(d.kind()).append(" ").append(m.name()).append(", exported by sandlot from ")
                    .append(m.location().file()).append("\n");
            d.notes().forEach(n -> out.append("# ").append(n.replace("\n", " ")).append("\n"));
            try {
                out.append(YAML.writeValueAsString(d.body()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write YAML for " + m.name(), e);
            }
        }
        return out.toString();
    }

    /** One exported object and what the user should know about it. */
    record Document(String kind, Map<String, Object> body, List<String> notes) {
    }

    static Document document(Manifest m) {
        SandboxSpec spec = m.spec();
        List<String> notes = new ArrayList<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", m.name());
        if (!m.labels().isEmpty()) {
            metadata.put("labels", new TreeMap<>(m.labels()));
        }
        Map<String, Object> pod = podSpec(m, notes);
        if (spec.schedule() == null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("apiVersion", "v1");
            body.put("kind", "Pod");
            body.put("metadata", metadata);
            body.put("spec", pod);
            return new Document("Pod", body, notes);
        }
        Map<String, Object> cron = new LinkedHashMap<>();
        cron.put("schedule", cron(spec.schedule(), notes));
        cron.put("concurrencyPolicy", "Forbid"); // sandlot skips a run while the previous one goes
        if (spec.suspend()) {
            cron.put("suspend", true);
        }
        Map<String, Object> template = new LinkedHashMap<>();
        if (!m.labels().isEmpty()) {
            template.put("metadata", Map.of("labels", new TreeMap<>(m.labels())));
        }
        template.put("spec", pod);
        cron.put("jobTemplate", Map.of("spec", Map.of("template", template)));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("apiVersion", "batch/v1");
        body.put("kind", "CronJob");
        body.put("metadata", metadata);
        body.put("spec", cron);
        return new Document("CronJob", body, notes);
    }

    private static Map<String, Object> podSpec(Manifest m, List<String> notes) {
        SandboxSpec spec = m.spec();
        Map<String, Object> pod = new LinkedHashMap<>();
        pod.put("runtimeClassName", RUNTIME_CLASS);
        String hostname = spec.hostname();
        int dot = hostname.indexOf('.');
        pod.put("hostname", dot < 0 ? hostname : hostname.substring(0, dot));
        if (dot >= 0) {
            pod.put("subdomain", hostname.substring(dot + 1));
            notes.add("hostname " + hostname + " is split into hostname and subdomain (a Pod hostname is one DNS label)");
        }
        pod.put("restartPolicy", spec.restartPolicy().name());
        if (spec.terminationGracePeriodMillis() != null) {
            pod.put("terminationGracePeriodSeconds", (spec.terminationGracePeriodMillis() + 999) / 1000);
        }
        if (spec.placement() != null) {
            if (!spec.placement().hostLabels().isEmpty()) {
                pod.put("nodeSelector", new TreeMap<>(spec.placement().hostLabels()));
            }
            if (!spec.placement().hosts().isEmpty()) {
                notes.add("placement.hosts " + spec.placement().hosts() + " has no direct equivalent: label those"
                        + " nodes and select them with nodeSelector, or use nodeAffinity on kubernetes.io/hostname");
            }
        }
        Dns dns = spec.dns();
        if (dns != null) {
            Map<String, Object> config = new LinkedHashMap<>();
            if (!dns.nameservers().isEmpty()) {
                pod.put("dnsPolicy", "None");
                config.put("nameservers", dns.nameservers());
            }
            if (!dns.searches().isEmpty()) {
                config.put("searches", dns.searches());
            }
            if (!dns.options().isEmpty()) {
                List<Map<String, String>> options = new ArrayList<>();
                for (String o : dns.options()) {
                    int colon = o.indexOf(':');
                    Map<String, String> option = new LinkedHashMap<>();
                    option.put("name", colon < 0 ? o : o.substring(0, colon));
                    if (colon >= 0) {
                        option.put("value", o.substring(colon + 1));
                    }
                    options.add(option);
                }
                config.put("options", options);
            }
            pod.put("dnsConfig", config);
        }
        pod.put("containers", List.of(container(m, notes)));
        if (!spec.mounts().isEmpty()) {
            List<Map<String, Object>> volumes = new ArrayList<>();
            for (int i = 0; i < spec.mounts().size(); i++) {
                volumes.add(Map.of("name", "mount-" + i, "hostPath", Map.of("path", spec.mounts().get(i).source())));
            }
            pod.put("volumes", volumes);
            notes.add("mounts become hostPath volumes: the same folders must exist on the node");
        }
        if (!spec.networks().isEmpty()) {
            notes.add("networks " + spec.networks() + ": the Pod gets the cluster's Pod network instead");
        }
        if (!spec.dependsOn().isEmpty()) {
            notes.add("dependsOn " + spec.dependsOn() + " has no Pod equivalent: an init container that waits"
                    + " for those services, or let the application retry");
        }
        if (spec.suspend() && spec.schedule() == null) {
            notes.add("suspend: true: a Pod cannot be suspended; do not apply this one until it should run");
        }
        if (spec.stopSignal() != null) {
            notes.add("stopSignal " + spec.stopSignal() + ": Kubernetes sends TERM unless the image's STOPSIGNAL"
                    + " (or a newer cluster's lifecycle.stopSignal) says otherwise");
        }
        return pod;
    }

    private static Map<String, Object> container(Manifest m, List<String> notes) {
        SandboxSpec spec = m.spec();
        ProcessSpec process = spec.process();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", m.name());
        c.put("image", image(spec.rootfs(), m.name(), notes));
        if (!process.args().isEmpty()) {
            // args is the whole argv, replacing the image's Entrypoint and Cmd: that is `command`.
            c.put("command", process.args());
        }
        if (process.cwd() != null) {
            c.put("workingDir", process.cwd());
        }
        if (!process.env().isEmpty()) {
            List<Map<String, String>> env = new ArrayList<>();
            new TreeMap<>(process.env()).forEach((k, v) -> {
                Map<String, String> e = new LinkedHashMap<>();
                e.put("name", k);
                e.put("value", v);
                env.add(e);
            });
            c.put("env", env);
        }
        if (!process.envFrom().isEmpty()) {
            List<Map<String, Object>> from = new ArrayList<>();
            for (String file : process.envFrom()) {
                String secret = secretName(m.name(), file);
                from.add(Map.of("secretRef", Map.of("name", secret)));
                notes.add("envFrom " + file + ": create the Secret from that file on a trusted machine:"
                        + " kubectl create secret generic " + secret + " --from-env-file=" + file);
            }
            c.put("envFrom", from);
        }
        if (process.user() != null) {
            Map<String, Object> security = new LinkedHashMap<>();
            security.put("runAsUser", process.user().uid());
            security.put("runAsGroup", process.user().gid());
            c.put("securityContext", security);
        }
        Resources r = spec.resources();
        Map<String, Object> limits = new LinkedHashMap<>();
        if (r.memoryBytes() != null) {
            limits.put("memory", Long.toString(r.memoryBytes()));
        }
        if (r.milliCpus() != null) {
            limits.put("cpu", r.milliCpus() + "m");
        }
        if (!limits.isEmpty()) {
            c.put("resources", Map.of("limits", limits));
        }
        if (r.pids() != null) {
            notes.add("resources.pids " + r.pids() + " is not expressible per Pod (a kubelet setting, podPidsLimit)");
        }
        if (!spec.ports().isEmpty()) {
            List<Map<String, Object>> ports = new ArrayList<>();
            for (PortMapping p : spec.ports()) {
                Map<String, Object> port = new LinkedHashMap<>();
                port.put("containerPort", p.containerPort());
                port.put("hostPort", p.hostPort());
                port.put("protocol", p.protocol().toUpperCase(Locale.ROOT));
                if (p.hostIP() != null) {
                    port.put("hostIP", p.hostIP());
                }
                ports.add(port);
            }
            c.put("ports", ports);
        }
        if (!spec.mounts().isEmpty()) {
            List<Map<String, Object>> mounts = new ArrayList<>();
            for (int i = 0; i < spec.mounts().size(); i++) {
                MountSpec mount = spec.mounts().get(i);
                Map<String, Object> vm = new LinkedHashMap<>();
                vm.put("name", "mount-" + i);
                vm.put("mountPath", mount.destination());
                vm.put("readOnly", mount.readOnly());
                mounts.add(vm);
            }
            c.put("volumeMounts", mounts);
        }
        HealthCheck check = spec.healthCheck();
        if (check != null) {
            Map<String, Object> probe = probe(check, notes);
            c.put("livenessProbe", probe);
            c.put("readinessProbe", probe);
        }
        return c;
    }

    private static Map<String, Object> probe(HealthCheck check, List<String> notes) {
        Map<String, Object> probe = new LinkedHashMap<>();
        if (check.http() != null) {
            Map<String, Object> get = new LinkedHashMap<>();
            get.put("path", check.http().path());
            get.put("port", check.http().port());
            probe.put("httpGet", get);
            if (check.http().expectStatus() != 200) {
                notes.add("healthCheck expects status " + check.http().expectStatus()
                        + "; a Kubernetes httpGet probe succeeds on any status from 200 to 399");
            }
        } else if (check.tcp() != null) {
            probe.put("tcpSocket", Map.of("port", check.tcp().port()));
        } else {
            probe.put("exec", Map.of("command", check.exec().command()));
        }
        probe.put("initialDelaySeconds", seconds(check.startPeriodMillis(), 0));
        probe.put("periodSeconds", seconds(check.intervalMillis(), 1));
        probe.put("timeoutSeconds", seconds(check.timeoutMillis(), 1));
        probe.put("failureThreshold", check.failureThreshold());
        return probe;
    }

    private static long seconds(long millis, long min) {
        return Math.max(min, (millis + 999) / 1000);
    }

    private static String image(Rootfs rootfs, String name, List<String> notes) {
        if (rootfs.image() != null) {
            String repo = imageName(Path.of(rootfs.image().layout()).getFileName().toString());
            notes.add("image: push the OCI layout " + rootfs.image().layout() + " to a registry and name it here");
            return repo + ":" + rootfs.image().ref();
        }
        if (rootfs.archive() != null) {
            String file = Path.of(rootfs.archive()).getFileName().toString();
            String base = file.replaceAll("(\\.tar(\\.gz)?|\\.tgz)$", "");
            notes.add("image: import the archive " + rootfs.archive() + " into a registry (docker import, then push)"
                    + " and name it here");
            return imageName(base) + ":latest";
        }
        notes.add("image: PLACEHOLDER; a rootfs directory (" + rootfs.path() + ") has no registry image: build one"
                + " from it (for example tar -C DIR -c . | docker import - NAME) and name it here");
        return "REPLACE-ME/" + imageName(name) + ":latest";
    }

    /** A registry repository name: lower case letters, digits, '.', '_', '-'. */
    static String imageName(String s) {
        String n = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-").replaceAll("^[^a-z0-9]+", "");
        return n.isEmpty() ? "sandbox" : n;
    }

    /** A Secret name (a DNS subdomain) from the sandbox and the file's base name. */
    static String secretName(String sandbox, String file) {
        String base = Path.of(file).getFileName().toString().toLowerCase(Locale.ROOT)
                .replaceAll("\\.env$", "").replaceAll("[^a-z0-9-]", "-").replaceAll("-+", "-")
                .replaceAll("^-|-$", "");
        String name = sandbox + (base.isEmpty() ? "" : "-" + base);
        return name.length() > 63 ? name.substring(0, 63).replaceAll("-+$", "") : name;
    }

    /**
     * A Quartz cron expression (seconds first, optional year, '?', days of week 1-7 from Sunday) as
     * a five-field Kubernetes one (days of week 0-6 from Sunday). What cannot be carried over is noted.
     */
    static String cron(String quartz, List<String> notes) {
        String[] f = quartz.trim().split("\\s+");
        if (f.length < 6 || f.length > 7) {
            notes.add("schedule " + quartz + ": review (not a 6 or 7 field Quartz expression)");
            return quartz;
        }
        if (!f[0].equals("0")) {
            notes.add("schedule " + quartz + ": the seconds field (" + f[0] + ") is dropped; CronJobs run on minutes");
        }
        if (f.length == 7 && !f[6].equals("*")) {
            notes.add("schedule " + quartz + ": the year field (" + f[6] + ") is dropped");
        }
        String dom = f[3].equals("?") ? "*" : f[3];
        String dow = f[5].equals("?") ? "*" : shiftDaysOfWeek(f[5]);
        String result = String.join(" ", f[1], f[2], dom, f[4], dow);
        if (result.matches(".*[LW#].*")) {
            notes.add("schedule " + quartz + ": L, W and # have no CronJob equivalent; review " + result);
        }
        return result;
    }

    private static String shiftDaysOfWeek(String field) {
        List<String> items = new ArrayList<>();
        for (String item : field.split(",")) {
            int slash = item.indexOf('/');
            String base = slash < 0 ? item : item.substring(0, slash);
            String step = slash < 0 ? "" : item.substring(slash);
            java.util.regex.Matcher n = java.util.regex.Pattern.compile("\\d+").matcher(base);
            StringBuilder shifted = new StringBuilder();
            while (n.find()) {
                n.appendReplacement(shifted, Integer.toString(Integer.parseInt(n.group()) - 1));
            }
            n.appendTail(shifted);
            items.add(shifted + step);
        }
        return String.join(",", items);
    }
}
