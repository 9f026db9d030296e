package dev.sandlot.manifest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns one YAML document into a {@link Manifest}, reporting every broken rule of DESIGN.md §1
 * rather than stopping at the first. Judges the text alone: it never looks at the host (whether a
 * rootfs, mount source or envFrom file exists is for plan and apply, DESIGN.md §2), nor at other
 * files (whether dependsOn names exist, and cycles, are checked across the snapshot).
 *
 * <p>Rules across fields of one document: an image rootfs makes process, args, cwd and user
 * optional; a schedule needs restartPolicy Never or OnFailure written out; ports need a network;
 * dependsOn never names the sandbox itself.
 */
final class Validator {
    static final String API_VERSION = "sandlot.dev/v1";
    static final String KIND = "Sandbox";
    private static final Pattern INTEGER = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern CANONICAL_INTEGER = Pattern.compile("[-+]?(0|[1-9][0-9]*)");
    private static final Pattern NUMBER_LIKE = Pattern.compile("[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?([eE][-+]?[0-9]+)?)"
            + "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+");
    private static final long MAX_ID = 4_294_967_294L; // 2^32 - 2: (uid_t) -1 means "no change"

    /** The outcome for one document: the manifest when it is fully valid, and its name node for conflict checks. */
    record Checked(Manifest manifest, String name, YamlNode nameNode) {
    }

    private final String file;
    private final List<String> allowedRoots;
    private final List<ManifestError> errors;
    /** Set when a value refused while reading (an alias, say) was met: the document can never be valid. */
    private boolean sawRejected;
    /** How many refused values were met so far; with the error count, tells whether a part was read cleanly. */
    private int rejections;

    /**
     * @param allowedRoots normalized absolute mount roots
     * @param errors       where every error found is added
     */
    Validator(String file, List<String> allowedRoots, List<ManifestError> errors) {
        this.file = file;
        this.allowedRoots = List.copyOf(allowedRoots);
        this.errors = errors;
    }

    Checked check(SafeYaml.Document document) {
        int before = errors.size();
        sawRejected = false;
        YamlNode root = document.root();
        if (!(root instanceof YamlNode.Mapping mapping)) {
            if (!rejected(root)) {
                error(root, "", "a manifest must be a mapping with apiVersion, kind, metadata and spec, not "
                        + kindOf(root));
            }
            return new Checked(null, null, null);
        }
        Fields top = new Fields(mapping, "", "apiVersion", "kind", "metadata", "spec");
        String apiVersion = string(top.required("apiVersion"), "apiVersion");
        if (apiVersion != null && !apiVersion.equals(API_VERSION)) {
            error(top.get("apiVersion"), "apiVersion", "must be " + API_VERSION);
        }
        String kind = string(top.required("kind"), "kind");
        if (kind != null && !kind.equals(KIND)) {
            error(top.get("kind"), "kind", "must be " + KIND);
        }

        String name = null;
        YamlNode nameNode = null;
        Map<String, String> labels = Map.of();
        Fields metadata = fields(top.required("metadata"), "metadata", "name", "labels");
        if (metadata != null) {
            nameNode = metadata.required("name");
            name = checked(nameNode, "metadata.name", string(nameNode, "metadata.name"), Rules::name);
            labels = labels(metadata.get("labels"), "metadata.labels");
        }

        SandboxSpec spec = spec(top.required("spec"), name);
        boolean valid = errors.size() == before && document.clean() && !sawRejected && spec != null && name != null;
        Manifest manifest = valid
                ? new Manifest(name, labels, spec, new Location(file, root.line(), root.column()),
                        dependsOnLocations(top.get("spec")))
                : null;
        return new Checked(manifest, name, name == null ? null : nameNode);
    }

    /** Where each {@code spec.dependsOn} item is: the cross-file checks point their errors there. */
    private Map<String, Location> dependsOnLocations(YamlNode specNode) {
        Map<String, Location> at = new HashMap<>();
        if (specNode instanceof YamlNode.Mapping spec) {
            for (YamlNode.Entry entry : spec.entries()) {
                if (entry.key().text().equals("dependsOn") && entry.value() instanceof YamlNode.Sequence list) {
                    for (int i = 0; i < list.items().size(); i++) {
                        YamlNode item = list.items().get(i);
                        at.put(Text.index("spec.dependsOn", i), new Location(file, item.line(), item.column()));
                    }
                }
            }
        }
        return at;
    }

    private Map<String, String> labels(YamlNode node, String path) {
        Map<String, String> labels = new LinkedHashMap<>();
        YamlNode.Mapping mapping = node == null ? null : mapping(node, path);
        if (mapping == null) {
            return labels;
        }
        for (YamlNode.Entry entry : mapping.entries()) {
            String key = entry.key().text();
            String entryPath = Text.child(path, key);
            String keyProblem = Rules.labelKey(key);
            if (keyProblem != null) {
                error(entry.key(), entryPath, keyProblem);
            }
            String value = checked(entry.value(), entryPath, string(entry.value(), entryPath), Rules::labelValue);
            if (keyProblem == null && value != null) {
                labels.put(key, value);
            }
        }
        return labels;
    }

    private SandboxSpec spec(YamlNode node, String name) {
        Fields spec = fields(node, "spec",
                "rootfs", "process", "hostname", "networks", "mounts", "resources", "restartPolicy",
                "healthCheck", "dependsOn", "suspend", "stopSignal", "terminationGracePeriod", "schedule", "ports",
                "dns", "placement");
        if (spec == null) {
            return null;
        }
        int before = problems();
        Rootfs rootfs = rootfs(spec.required("rootfs"), "spec.rootfs");
        boolean fromImage = namesImage(spec.get("rootfs"));
        ProcessSpec process = fromImage && spec.get("process") == null
                ? new ProcessSpec(List.of(), null, Map.of(), null, List.of())
                : process(spec.required("process"), "spec.process", fromImage);
        String hostname = name;
        if (spec.get("hostname") != null) {
            hostname = checked(spec.get("hostname"), "spec.hostname", string(spec.get("hostname"), "spec.hostname"),
                    Rules::hostname);
        }
        List<String> networks = networks(spec.get("networks"), "spec.networks");
        List<MountSpec> mounts = mounts(spec.get("mounts"), "spec.mounts");
        Resources resources = resources(spec.get("resources"), "spec.resources");
        RestartPolicy restartPolicy = restartPolicy(spec.get("restartPolicy"), "spec.restartPolicy");
        HealthCheck healthCheck = spec.get("healthCheck") == null ? null
                : healthCheck(spec.get("healthCheck"), "spec.healthCheck");
        List<String> dependsOn = dependsOn(spec.get("dependsOn"), "spec.dependsOn", name);
        Boolean suspend = spec.get("suspend") == null ? Boolean.FALSE : bool(spec.get("suspend"), "spec.suspend");
        String stopSignal = stopSignal(spec.get("stopSignal"), "spec.stopSignal");
        Long gracePeriod = duration(spec.get("terminationGracePeriod"), "spec.terminationGracePeriod",
                0, SandboxSpec.MAX_GRACE_PERIOD.toMillis());
        if (gracePeriod != null && gracePeriod == SandboxSpec.DEFAULT_GRACE_PERIOD.toMillis()) {
            gracePeriod = null; // writing the default out is the same as leaving it out
        }
        String schedule = schedule(spec.get("schedule"), "spec.schedule", spec.get("restartPolicy"), restartPolicy);
        List<PortMapping> ports = ports(spec.get("ports"), "spec.ports", spec.get("networks"), networks);
        Dns dns = spec.get("dns") == null ? null : dns(spec.get("dns"), "spec.dns");
        Placement placement = spec.get("placement") == null ? null
                : placement(spec.get("placement"), "spec.placement");
        if (problems() != before || rootfs == null || process == null || hostname == null || networks == null
                || mounts == null || resources == null || restartPolicy == null || dependsOn == null
                || suspend == null || ports == null) {
            return null;
        }
        return new SandboxSpec(rootfs, process, hostname, networks, mounts, resources, restartPolicy,
                healthCheck, dependsOn, suspend, stopSignal, gracePeriod, schedule, ports, dns, placement);
    }

    /** Whether the rootfs names an image and nothing else: then the image config fills in the process. */
    private static boolean namesImage(YamlNode rootfs) {
        if (!(rootfs instanceof YamlNode.Mapping mapping)) {
            return false;
        }
        boolean image = false;
        for (YamlNode.Entry entry : mapping.entries()) {
            switch (entry.key().text()) {
                case "image" -> image = true;
                case "path", "archive" -> {
                    return false;
                }
                default -> {
                }
            }
        }
        return image;
    }

    private Rootfs rootfs(YamlNode node, String path) {
        Fields rootfs = fields(node, path, "path", "archive", "image");
        if (rootfs == null) {
            return null;
        }
        YamlNode directory = rootfs.get("path");
        YamlNode archive = rootfs.get("archive");
        YamlNode image = rootfs.get("image");
        int kinds = (directory == null ? 0 : 1) + (archive == null ? 0 : 1) + (image == null ? 0 : 1);
        if (kinds != 1) {
            error(node, path, "must have exactly one of path, archive or image");
            return null;
        }
        if (directory != null) {
            String p = checked(directory, path + ".path", string(directory, path + ".path"), Rules::rootfsPath);
            return p == null ? null : Rootfs.directory(p);
        }
        if (archive != null) {
            String a = checked(archive, path + ".archive", string(archive, path + ".archive"), Rules::archive);
            return a == null ? null : Rootfs.archive(a);
        }
        Fields fields = fields(image, path + ".image", "layout", "ref");
        if (fields == null) {
            return null;
        }
        YamlNode layoutNode = fields.required("layout");
        String layout = checked(layoutNode, path + ".image.layout", string(layoutNode, path + ".image.layout"),
                Rules::rootfsPath);
        String ref = Image.DEFAULT_REF;
        if (fields.get("ref") != null) {
            ref = checked(fields.get("ref"), path + ".image.ref", string(fields.get("ref"), path + ".image.ref"),
                    Rules::imageRef);
        }
        return layout == null || ref == null ? null : Rootfs.image(new Image(layout, ref));
    }

    /** @param fromImage the rootfs is an image: args, cwd and user may be left to its config */
    private ProcessSpec process(YamlNode node, String path, boolean fromImage) {
        Fields process = fields(node, path, "args", "cwd", "env", "user", "envFrom");
        if (process == null) {
            return null;
        }
        int before = problems();
        YamlNode argsNode = fromImage ? process.get("args") : process.required("args");
        List<String> args = argv(argsNode, path + ".args", fromImage);
        String cwd = fromImage ? null : "/";
        if (process.get("cwd") != null) {
            cwd = checked(process.get("cwd"), path + ".cwd", string(process.get("cwd"), path + ".cwd"), Rules::cwd);
        }
        Map<String, String> env = env(process.get("env"), path + ".env");
        ProcessSpec.User user = process.get("user") == null && fromImage ? null
                : user(process.get("user"), path + ".user");
        List<String> envFrom = envFrom(process.get("envFrom"), path + ".envFrom");
        if (problems() != before || args == null || envFrom == null
                || !fromImage && (cwd == null || user == null)) {
            return null;
        }
        return new ProcessSpec(args, cwd, env, user, envFrom);
    }

    /**
     * An argv list: strings without NUL, the program not empty. Empty only when {@code emptyAllowed}
     * (an image's Entrypoint and Cmd stand in); a missing node reads as empty then. Null after an error.
     */
    private List<String> argv(YamlNode node, String path, boolean emptyAllowed) {
        if (node == null) {
            return emptyAllowed ? List.of() : null;
        }
        YamlNode.Sequence list = sequence(node, path);
        if (list == null) {
            return null;
        }
        int before = problems();
        if (list.items().isEmpty() && !emptyAllowed) {
            error(list, path, "must list at least the program to run");
        }
        List<String> args = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String argPath = Text.index(path, i);
            String arg = checked(item, argPath, string(item, argPath), Validator::noNul);
            if (i == 0 && arg != null && arg.isEmpty()) {
                error(item, argPath, "the program to run must not be empty");
            }
            args.add(arg);
        }
        return problems() == before ? args : null;
    }

    private Map<String, String> env(YamlNode node, String path) {
        Map<String, String> env = new HashMap<>();
        YamlNode.Mapping mapping = node == null ? null : mapping(node, path);
        if (mapping == null) {
            return env;
        }
        for (YamlNode.Entry entry : mapping.entries()) {
            String key = entry.key().text();
            String entryPath = Text.child(path, key);
            String keyProblem = Rules.envKey(key);
            if (keyProblem != null) {
                error(entry.key(), entryPath, keyProblem);
            }
            String value = checked(entry.value(), entryPath, string(entry.value(), entryPath), Validator::noNul);
            if (value != null) {
                env.put(key, value);
            }
        }
        return env;
    }

    private ProcessSpec.User user(YamlNode node, String path) {
        if (node == null) {
            return ProcessSpec.User.ROOT;
        }
        Fields user = fields(node, path, "uid", "gid");
        if (user == null) {
            return null;
        }
        Long uid = integer(user.required("uid"), path + ".uid", 0, MAX_ID);
        Long gid = integer(user.required("gid"), path + ".gid", 0, MAX_ID);
        return uid == null || gid == null ? null : new ProcessSpec.User(uid, gid);
    }

    private List<String> networks(YamlNode node, String path) {
        List<String> networks = new ArrayList<>();
        YamlNode.Sequence list = node == null ? null : sequence(node, path);
        if (list == null) {
            return node == null ? networks : null;
        }
        int before = errors.size();
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String itemPath = Text.index(path, i);
            String network = checked(item, itemPath, string(item, itemPath), Rules::network);
            if (network == null) {
                continue;
            }
            Integer first = firstIndex.putIfAbsent(network, i);
            if (first != null) {
                error(item, itemPath, "duplicate network (also " + Text.index(path, first) + ")");
            }
            networks.add(network);
        }
        return errors.size() == before ? networks : null;
    }

    private List<MountSpec> mounts(YamlNode node, String path) {
        List<MountSpec> mounts = new ArrayList<>();
        YamlNode.Sequence list = node == null ? null : sequence(node, path);
        if (list == null) {
            return node == null ? mounts : null;
        }
        int before = errors.size();
        Map<String, Integer> destinations = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            String itemPath = Text.index(path, i);
            Fields mount = fields(list.items().get(i), itemPath, "source", "destination", "readOnly");
            if (mount == null) {
                continue;
            }
            YamlNode sourceNode = mount.required("source");
            String source = checked(sourceNode, itemPath + ".source", string(sourceNode, itemPath + ".source"),
                    p -> Rules.mountSource(p, allowedRoots));
            YamlNode destinationNode = mount.required("destination");
            String destination = checked(destinationNode, itemPath + ".destination",
                    string(destinationNode, itemPath + ".destination"), Rules::mountDestination);
            Boolean readOnly = mount.get("readOnly") == null ? Boolean.TRUE
                    : bool(mount.get("readOnly"), itemPath + ".readOnly");
            if (destination != null) {
                Integer first = destinations.putIfAbsent(destination, i);
                if (first != null) {
                    error(destinationNode, itemPath + ".destination",
                            "duplicate destination (also " + Text.index(path, first) + ")");
                }
            }
            if (source != null && destination != null && readOnly != null) {
                mounts.add(new MountSpec(source, destination, readOnly));
            }
        }
        return errors.size() == before ? mounts : null;
    }

    private Resources resources(YamlNode node, String path) {
        if (node == null) {
            return Resources.NONE;
        }
        Fields resources = fields(node, path, "memory", "cpus", "pids");
        if (resources == null) {
            return null;
        }
        int before = errors.size();
        Long memory = quantity(resources.get("memory"), path + ".memory", "a quantity such as 256Mi", Quantities::memoryBytes);
        Long cpus = quantity(resources.get("cpus"), path + ".cpus", "a quantity such as 0.5", Quantities::milliCpus);
        Long pids = resources.get("pids") == null ? null
                : integer(resources.get("pids"), path + ".pids", 1, Quantities.MAX_PIDS);
        return errors.size() == before ? new Resources(memory, cpus, pids) : null;
    }

    /** @param what how to describe a right value: "a quantity such as 256Mi" */
    private Long quantity(YamlNode node, String path, String what,
            java.util.function.Function<String, Quantities.Parsed> parse) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof YamlNode.Scalar scalar) || scalar.isNull()) {
            if (!rejected(node)) {
                error(node, path, "must be " + what + ", not " + kindOf(node));
            }
            return null;
        }
        Quantities.Parsed parsed = parse.apply(scalar.text());
        if (parsed.problem() != null) {
            error(node, path, parsed.problem());
            return null;
        }
        return parsed.value();
    }

    private RestartPolicy restartPolicy(YamlNode node, String path) {
        if (node == null) {
            return RestartPolicy.Always;
        }
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        for (RestartPolicy policy : RestartPolicy.values()) {
            if (policy.name().equals(text)) {
                return policy;
            }
        }
        error(node, path, "must be one of Always, OnFailure, Never");
        return null;
    }

    private HealthCheck healthCheck(YamlNode node, String path) {
        Fields check = fields(node, path,
                "http", "tcp", "exec", "interval", "timeout", "failureThreshold", "startPeriod");
        if (check == null) {
            return null;
        }
        int before = problems();
        int kinds = (check.get("http") == null ? 0 : 1) + (check.get("tcp") == null ? 0 : 1)
                + (check.get("exec") == null ? 0 : 1);
        if (kinds != 1) {
            error(node, path, "must have exactly one of http, tcp or exec");
        }
        HttpCheck http = check.get("http") == null ? null : httpCheck(check.get("http"), path + ".http");
        TcpCheck tcp = null;
        Fields tcpFields = check.get("tcp") == null ? null : fields(check.get("tcp"), path + ".tcp", "port");
        if (tcpFields != null) {
            Long port = integer(tcpFields.required("port"), path + ".tcp.port", 1, 65535);
            tcp = port == null ? null : new TcpCheck(port.intValue());
        }
        ExecCheck exec = null;
        Fields execFields = check.get("exec") == null ? null : fields(check.get("exec"), path + ".exec", "command");
        if (execFields != null) {
            List<String> command = argv(execFields.required("command"), path + ".exec.command", false);
            exec = command == null ? null : new ExecCheck(command);
        }
        Long interval = check.get("interval") == null ? Long.valueOf(HealthCheck.DEFAULT_INTERVAL_MILLIS)
                : duration(check.get("interval"), path + ".interval", 1_000, 3_600_000);
        Long timeout = check.get("timeout") == null ? Long.valueOf(HealthCheck.DEFAULT_TIMEOUT_MILLIS)
                : duration(check.get("timeout"), path + ".timeout", 100, 3_600_000);
        Long threshold = check.get("failureThreshold") == null ? Long.valueOf(HealthCheck.DEFAULT_FAILURE_THRESHOLD)
                : integer(check.get("failureThreshold"), path + ".failureThreshold", 1, 100);
        Long startPeriod = check.get("startPeriod") == null ? Long.valueOf(HealthCheck.DEFAULT_START_PERIOD_MILLIS)
                : duration(check.get("startPeriod"), path + ".startPeriod", 0, 3_600_000);
        if (problems() != before) {
            return null;
        }
        return new HealthCheck(http, tcp, exec, interval, timeout, threshold.intValue(), startPeriod);
    }

    private HttpCheck httpCheck(YamlNode node, String path) {
        Fields http = fields(node, path, "port", "path", "expectStatus");
        if (http == null) {
            return null;
        }
        Long port = integer(http.required("port"), path + ".port", 1, 65535);
        String urlPath = HttpCheck.DEFAULT_PATH;
        if (http.get("path") != null) {
            urlPath = checked(http.get("path"), path + ".path", string(http.get("path"), path + ".path"),
                    Rules::httpPath);
        }
        Long status = http.get("expectStatus") == null ? Long.valueOf(HttpCheck.DEFAULT_EXPECT_STATUS)
                : integer(http.get("expectStatus"), path + ".expectStatus", 100, 599);
        return port == null || urlPath == null || status == null ? null
                : new HttpCheck(port.intValue(), urlPath, status.intValue());
    }

    private List<String> dependsOn(YamlNode node, String path, String ownName) {
        return strings(node, path, Integer.MAX_VALUE, null, "duplicate dependency", value -> {
            String problem = Rules.dependency(value);
            if (problem == null && value.equals(ownName)) {
                return "must name another sandbox, not this one";
            }
            return problem;
        }, value -> value);
    }

    private List<String> envFrom(YamlNode node, String path) {
        return strings(node, path, Integer.MAX_VALUE, null, "duplicate file", Rules::envFile, value -> value);
    }

    /**
     * A list of strings, each checked by {@code rule} and stored as {@code canonical} makes it, no two
     * the same after that. Empty when the node is missing; null after an error.
     *
     * @param tooMany the message when there are more than {@code max}
     */
    private List<String> strings(YamlNode node, String path, int max, String tooMany, String duplicate,
            java.util.function.Function<String, String> rule, java.util.function.UnaryOperator<String> canonical) {
        List<String> values = new ArrayList<>();
        YamlNode.Sequence list = node == null ? null : sequence(node, path);
        if (list == null) {
            return node == null ? values : null;
        }
        int before = problems();
        if (list.items().size() > max) {
            error(list, path, tooMany);
        }
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            String itemPath = Text.index(path, i);
            String value = checked(item, itemPath, string(item, itemPath), rule);
            if (value == null) {
                continue;
            }
            value = canonical.apply(value);
            Integer first = firstIndex.putIfAbsent(value, i);
            if (first != null) {
                error(item, itemPath, duplicate + " (also " + Text.index(path, first) + ")");
            }
            values.add(value);
        }
        return problems() == before ? values : null;
    }

    private String stopSignal(YamlNode node, String path) {
        if (node == null) {
            return null;
        }
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        String signal = text.startsWith("SIG") ? text.substring(3) : text;
        if (!Signals.STOP_SIGNALS.containsKey(signal)) {
            error(node, path, "must be a signal name, with or without SIG, such as TERM, INT, QUIT, HUP, USR1,"
                    + " USR2 or WINCH (not STOP, which cannot be caught)");
            return null;
        }
        return signal.equals(SandboxSpec.DEFAULT_STOP_SIGNAL) ? null : signal; // the default is no change
    }

    /** A duration in milliseconds within {@code [min, max]}; null when the node is missing or after an error. */
    private Long duration(YamlNode node, String path, long min, long max) {
        return quantity(node, path, "a duration such as 10s", text -> Quantities.durationMillis(text, min, max));
    }

    private String schedule(YamlNode node, String path, YamlNode restartNode, RestartPolicy restartPolicy) {
        if (node == null) {
            return null;
        }
        String schedule = checked(node, path, string(node, path), Rules::schedule);
        if (schedule != null && restartPolicy == RestartPolicy.Always) {
            error(node, path, "needs spec.restartPolicy Never or OnFailure, written out: a scheduled run ends,"
                    + (restartNode == null ? " and the default Always" : " and Always")
                    + " would start it again at once");
            return null;
        }
        return schedule;
    }

    private List<PortMapping> ports(YamlNode node, String path, YamlNode networksNode, List<String> networks) {
        List<PortMapping> ports = new ArrayList<>();
        YamlNode.Sequence list = node == null ? null : sequence(node, path);
        if (list == null) {
            return node == null ? ports : null;
        }
        int before = problems();
        if (!list.items().isEmpty() && networks != null && networks.isEmpty()) {
            error(list, path, "needs at least one network in spec.networks (ports are published by a CNI plugin;"
                    + " loopback alone has none)");
        }
        Map<String, List<Integer>> byPortAndProtocol = new HashMap<>();
        Map<Integer, String> hostIPs = new HashMap<>();
        for (int i = 0; i < list.items().size(); i++) {
            String itemPath = Text.index(path, i);
            Fields port = fields(list.items().get(i), itemPath, "containerPort", "hostPort", "protocol", "hostIP");
            if (port == null) {
                continue;
            }
            Long containerPort = integer(port.required("containerPort"), itemPath + ".containerPort", 1, 65535);
            Long hostPort = port.get("hostPort") == null ? containerPort
                    : integer(port.get("hostPort"), itemPath + ".hostPort", 1, 65535);
            String protocol = protocol(port.get("protocol"), itemPath + ".protocol");
            String hostIP = port.get("hostIP") == null ? null : ip(port.get("hostIP"), itemPath + ".hostIP");
            if (containerPort == null || hostPort == null || protocol == null
                    || port.get("hostIP") != null && hostIP == null) {
                continue;
            }
            List<Integer> same = byPortAndProtocol.computeIfAbsent(hostPort + "/" + protocol, k -> new ArrayList<>());
            for (int j : same) {
                String other = hostIPs.get(j);
                if (hostIP == null || other == null || hostIP.equals(other)) {
                    error(list.items().get(i), itemPath, "host port already published by " + Text.index(path, j)
                            + " (same hostPort and protocol, and the same hostIP or one of them every address)");
                    break;
                }
            }
            same.add(i);
            hostIPs.put(i, hostIP);
            ports.add(new PortMapping(containerPort.intValue(), hostPort.intValue(), protocol, hostIP));
        }
        return problems() == before ? ports : null;
    }

    private String protocol(YamlNode node, String path) {
        if (node == null) {
            return PortMapping.TCP;
        }
        String text = string(node, path);
        if (text == null) {
            return null;
        }
        return switch (text) {
            case "tcp", "TCP" -> PortMapping.TCP;
            case "udp", "UDP" -> PortMapping.UDP;
            default -> {
                error(node, path, "must be tcp or udp");
                yield null;
            }
        };
    }

    private String ip(YamlNode node, String path) {
        String text = checked(node, path, string(node, path), v -> Rules.ipLiteral(v) == null ? Rules.IP_RULE : null);
        return text == null ? null : Rules.ipLiteral(text);
    }

    private Dns dns(YamlNode node, String path) {
        Fields dns = fields(node, path, "nameservers", "searches", "options");
        if (dns == null) {
            return null;
        }
        List<String> nameservers = strings(dns.get("nameservers"), path + ".nameservers", Dns.MAX_NAMESERVERS,
                "must list at most " + Dns.MAX_NAMESERVERS + " nameservers (resolv.conf reads no more)",
                "duplicate nameserver", v -> Rules.ipLiteral(v) == null ? Rules.IP_RULE : null, Rules::ipLiteral);
        List<String> searches = strings(dns.get("searches"), path + ".searches", Dns.MAX_SEARCHES,
                "must list at most " + Dns.MAX_SEARCHES + " search domains", "duplicate search domain",
                Rules::domain, v -> v);
        List<String> options = strings(dns.get("options"), path + ".options", 32, "must list at most 32 options",
                "duplicate option", Rules::dnsOption, v -> v);
        if (nameservers == null || searches == null || options == null) {
            return null;
        }
        boolean none = nameservers.isEmpty() && searches.isEmpty() && options.isEmpty();
        return none ? null : new Dns(nameservers, searches, options); // an empty dns is no dns
    }

    private Placement placement(YamlNode node, String path) {
        Fields placement = fields(node, path, "hosts", "hostLabels");
        if (placement == null) {
            return null;
        }
        int before = problems();
        YamlNode hostsNode = placement.get("hosts");
        List<String> hosts = strings(hostsNode, path + ".hosts", Integer.MAX_VALUE, null, "duplicate pattern",
                Rules::hostPattern, v -> v);
        if (hosts != null && hostsNode != null && hosts.isEmpty()) {
            error(hostsNode, path + ".hosts", "must list at least one host name pattern (leave hosts out to allow"
                    + " any host name)");
        }
        YamlNode labelsNode = placement.get("hostLabels");
        Map<String, String> hostLabels = labels(labelsNode, path + ".hostLabels");
        if (labelsNode instanceof YamlNode.Mapping m && m.entries().isEmpty()) {
            error(labelsNode, path + ".hostLabels", "must have at least one label (leave hostLabels out to allow"
                    + " any labels)");
        }
        if (hostsNode == null && labelsNode == null) {
            error(node, path, "must have hosts or hostLabels (leave placement out to run on every host)");
        }
        return problems() == before ? new Placement(hosts, hostLabels) : null;
    }

    // ---- typed access; each returns null after reporting an error (or silently for a refused node)

    private Fields fields(YamlNode node, String path, String... allowed) {
        YamlNode.Mapping mapping = node == null ? null : mapping(node, path);
        return mapping == null ? null : new Fields(mapping, path, allowed);
    }

    private YamlNode.Mapping mapping(YamlNode node, String path) {
        if (node instanceof YamlNode.Mapping mapping) {
            return mapping;
        }
        if (!rejected(node)) {
            error(node, path, "must be a mapping, not " + kindOf(node));
        }
        return null;
    }

    private YamlNode.Sequence sequence(YamlNode node, String path) {
        if (node instanceof YamlNode.Sequence sequence) {
            return sequence;
        }
        if (node != null && !rejected(node)) {
            error(node, path, "must be a list, not " + kindOf(node));
        }
        return null;
    }

    /** Any scalar is a string, kept as written ({@code no} stays "no"); only a plain null is refused. */
    private String string(YamlNode node, String path) {
        if (node instanceof YamlNode.Scalar scalar && !scalar.isNull()) {
            return scalar.text();
        }
        if (node != null && !rejected(node)) {
            error(node, path, "must be a string, not " + kindOf(node));
        }
        return null;
    }

    private Long integer(YamlNode node, String path, long min, long max) {
        if (node == null || rejected(node)) {
            return null;
        }
        if (!(node instanceof YamlNode.Scalar scalar) || !scalar.plain() || scalar.isNull()
                || !INTEGER.matcher(scalar.text()).matches()) {
            error(node, path, "must be an integer, not " + kindOf(node));
            return null;
        }
        String text = scalar.text();
        if (!CANONICAL_INTEGER.matcher(text).matches()) {
            error(node, path, "must be a decimal integer without leading zeros (YAML 1.1 would read it as octal)");
            return null;
        }
        String digits = text.replaceFirst("^[-+]", "");
        long value = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits) * (text.startsWith("-") ? -1 : 1);
        if (value < min || value > max) {
            error(node, path, "must be between " + min + " and " + max);
            return null;
        }
        return value;
    }

    private Boolean bool(YamlNode node, String path) {
        if (node instanceof YamlNode.Scalar scalar && scalar.plain()
                && (scalar.text().equals("true") || scalar.text().equals("false"))) {
            return scalar.text().equals("true");
        }
        if (!rejected(node)) {
            error(node, path, "must be true or false, not " + kindOf(node));
        }
        return null;
    }

    /** Applies a value rule to an already extracted value; null in, null out. */
    private String checked(YamlNode node, String path, String value, java.util.function.Function<String, String> rule) {
        if (value == null) {
            return null;
        }
        String problem = rule.apply(value);
        if (problem != null) {
            error(node, path, problem);
            return null;
        }
        return value;
    }

    /** True for a node refused while reading; remembers that this document met one. */
    private boolean rejected(YamlNode node) {
        if (node instanceof YamlNode.Rejected) {
            sawRejected = true;
            rejections++;
            return true;
        }
        return false;
    }

    private static String noNul(String value) {
        return value.indexOf('\0') >= 0 ? "must not contain a NUL character" : null;
    }

    /** How a node reads to a person: "a list", "null", "a number", "a string"... (never the value). */
    static String kindOf(YamlNode node) {
        if (node instanceof YamlNode.Mapping) {
            return "a mapping";
        }
        if (node instanceof YamlNode.Sequence) {
            return "a list";
        }
        if (node instanceof YamlNode.Scalar scalar) {
            if (!scalar.plain()) {
                return "a string";
            }
            if (scalar.isNull()) {
                return "null";
            }
            String text = scalar.text();
            if (text.equals("true") || text.equals("false")) {
                return "a boolean";
            }
            if (text.length() <= 64 && NUMBER_LIKE.matcher(text).matches()) {
                return "a number";
            }
            return "a string";
        }
        return "a refused value";
    }

    /** Errors plus refused values so far: a part read cleanly leaves it unchanged. */
    private int problems() {
        return errors.size() + rejections;
    }

    private void error(YamlNode node, String path, String message) {
        errors.add(new ManifestError(new Location(file, node.line(), node.column()), path, message));
    }

    /** One mapping's fields: reports unknown fields once, and missing required ones on request. */
    private final class Fields {
        private final YamlNode.Mapping mapping;
        private final String path;
        private final Map<String, YamlNode> values = new HashMap<>();

        Fields(YamlNode.Mapping mapping, String path, String... allowed) {
            this.mapping = mapping;
            this.path = path;
            List<String> known = List.of(allowed);
            for (YamlNode.Entry entry : mapping.entries()) {
                String key = entry.key().text();
                if (known.contains(key)) {
                    values.put(key, entry.value());
                } else {
                    String hint = FieldNames.suggest(key, known);
                    error(entry.key(), Text.child(path, key), "unknown field"
                            + (hint != null ? " (did you mean " + hint + "?)" : " (allowed: " + String.join(", ", known) + ")"));
                }
            }
        }

        YamlNode get(String key) {
            return values.get(key);
        }

        YamlNode required(String key) {
            YamlNode value = values.get(key);
            if (value == null) {
                error(mapping, Text.child(path, key), "required field is missing");
            }
            return value;
        }
    }
}
