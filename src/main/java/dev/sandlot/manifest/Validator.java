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
 * rootfs or mount source exists is for plan and apply, DESIGN.md §2).
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
                ? new Manifest(name, labels, spec, new Location(file, root.line(), root.column()))
                : null;
        return new Checked(manifest, name, name == null ? null : nameNode);
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
                "rootfs", "process", "hostname", "networks", "mounts", "resources", "restartPolicy");
        if (spec == null) {
            return null;
        }
        Rootfs rootfs = rootfs(spec.required("rootfs"), "spec.rootfs");
        ProcessSpec process = process(spec.required("process"), "spec.process");
        String hostname = name;
        if (spec.get("hostname") != null) {
            hostname = checked(spec.get("hostname"), "spec.hostname", string(spec.get("hostname"), "spec.hostname"),
                    Rules::hostname);
        }
        List<String> networks = networks(spec.get("networks"), "spec.networks");
        List<MountSpec> mounts = mounts(spec.get("mounts"), "spec.mounts");
        Resources resources = resources(spec.get("resources"), "spec.resources");
        RestartPolicy restartPolicy = restartPolicy(spec.get("restartPolicy"), "spec.restartPolicy");
        if (rootfs == null || process == null || hostname == null || networks == null || mounts == null
                || resources == null || restartPolicy == null) {
            return null;
        }
        return new SandboxSpec(rootfs, process, hostname, networks, mounts, resources, restartPolicy);
    }

    private Rootfs rootfs(YamlNode node, String path) {
        Fields rootfs = fields(node, path, "path", "archive");
        if (rootfs == null) {
            return null;
        }
        YamlNode directory = rootfs.get("path");
        YamlNode archive = rootfs.get("archive");
        if ((directory == null) == (archive == null)) {
            error(node, path, "must have exactly one of path or archive");
            return null;
        }
        if (directory != null) {
            String p = checked(directory, path + ".path", string(directory, path + ".path"), Rules::rootfsPath);
            return p == null ? null : Rootfs.directory(p);
        }
        String a = checked(archive, path + ".archive", string(archive, path + ".archive"), Rules::archive);
        return a == null ? null : Rootfs.archive(a);
    }

    private ProcessSpec process(YamlNode node, String path) {
        Fields process = fields(node, path, "args", "cwd", "env", "user");
        if (process == null) {
            return null;
        }
        int before = errors.size();
        List<String> args = new ArrayList<>();
        YamlNode.Sequence argList = sequence(process.required("args"), path + ".args");
        if (argList != null) {
            if (argList.items().isEmpty()) {
                error(argList, path + ".args", "must list at least the program to run");
            }
            for (int i = 0; i < argList.items().size(); i++) {
                String argPath = Text.index(path + ".args", i);
                String arg = checked(argList.items().get(i), argPath, string(argList.items().get(i), argPath),
                        Validator::noNul);
                if (i == 0 && arg != null && arg.isEmpty()) {
                    error(argList.items().get(i), argPath, "the program to run must not be empty");
                }
                args.add(arg);
            }
        }
        String cwd = "/";
        if (process.get("cwd") != null) {
            cwd = checked(process.get("cwd"), path + ".cwd", string(process.get("cwd"), path + ".cwd"), Rules::cwd);
        }
        Map<String, String> env = env(process.get("env"), path + ".env");
        ProcessSpec.User user = user(process.get("user"), path + ".user");
        if (errors.size() != before || argList == null || args.contains(null) || cwd == null || user == null) {
            return null;
        }
        return new ProcessSpec(args, cwd, env, user);
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
        Long memory = quantity(resources.get("memory"), path + ".memory", "256Mi", Quantities::memoryBytes);
        Long cpus = quantity(resources.get("cpus"), path + ".cpus", "0.5", Quantities::milliCpus);
        Long pids = resources.get("pids") == null ? null
                : integer(resources.get("pids"), path + ".pids", 1, Quantities.MAX_PIDS);
        return errors.size() == before ? new Resources(memory, cpus, pids) : null;
    }

    private Long quantity(YamlNode node, String path, String example,
            java.util.function.Function<String, Quantities.Parsed> parse) {
        if (node == null) {
            return null;
        }
        if (!(node instanceof YamlNode.Scalar scalar) || scalar.isNull()) {
            if (!rejected(node)) {
                error(node, path, "must be a quantity such as " + example + ", not " + kindOf(node));
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
