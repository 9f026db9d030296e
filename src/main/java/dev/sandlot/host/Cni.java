package dev.sandlot.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs CNI plugin chains the way libcni does (CNI spec, "Section 4: Plugin Delegation" and
 * "Lifecycle & Ordering"): each plugin's stdin is its own object plus the list's {@code name} and
 * {@code cniVersion}, the previous plugin's result as {@code prevResult}, and the runtime config
 * filtered to the {@code capabilities} it declares; the environment is exactly the CNI_* variables
 * and a PATH.
 *
 * <p>The caller keeps the record of every attachment (the config bytes before ADD, the result
 * after) and calls {@link #del} with it; {@code add} never undoes anything by itself.
 */
public final class Cni {
    private static final Logger LOG = LoggerFactory.getLogger(Cni.class);
    private static final Pattern CONTAINER_ID = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final int MAX_OUTPUT = 4 << 20;

    private final ProcessRunner runner;
    private final List<Path> binDirs;
    private final Duration timeout;

    /**
     * @param binDirs where plugins are looked for, in order (CNI_PATH)
     * @param timeout for each single plugin call
     */
    public Cni(ProcessRunner runner, List<Path> binDirs, Duration timeout) {
        if (binDirs.isEmpty()) {
            throw new IllegalArgumentException("no CNI bin dirs");
        }
        this.runner = runner;
        this.binDirs = List.copyOf(binDirs);
        this.timeout = timeout;
    }

    /**
     * Runs ADD through the chain in order and returns the last plugin's result.
     *
     * @param runtimeConfig capability arguments (e.g. {@code portMappings}); each plugin only gets
     *                      those its {@code capabilities} enable
     * @throws CniException on the first plugin that fails, carrying its CNI error; earlier plugins
     *                      are not undone: call {@link #del}
     */
    public JsonNode add(NetworkConfig net, String containerId, Path netnsPath, String ifname,
            Map<String, Object> runtimeConfig) throws CniException {
        validate(containerId, ifname);
        JsonNode prevResult = null;
        List<ObjectNode> plugins = net.plugins();
        for (int i = 0; i < plugins.size(); i++) {
            ObjectNode plugin = plugins.get(i);
            Call call = new Call("ADD", net, plugin, i, containerId, netnsPath, ifname);
            byte[] stdin = stdin(net, plugin, prevResult, runtimeConfig);
            ExecResult r = invoke(call, stdin);
            if (!r.succeeded()) {
                throw call.failed(r);
            }
            prevResult = call.result(r);
        }
        return prevResult;
    }

    /**
     * Runs DEL through the chain in reverse order with the recorded config (and, from CNI 0.4.0 on,
     * the recorded result as {@code prevResult}, as libcni does). Tolerant: a missing netns is left
     * to the plugins (which succeed), and "container unknown" (code 3) or "not found" style errors
     * count as done. Every plugin is tried even if one fails, then the first failure is thrown.
     *
     * @param prevResult the recorded ADD result, or null if there is none (crash before it was saved)
     */
    public void del(NetworkConfig net, String containerId, Path netnsPath, String ifname, JsonNode prevResult)
            throws CniException {
        del(net, containerId, netnsPath, ifname, prevResult, Map.of());
    }

    /**
     * DEL with the capability arguments ADD had, as libcni replays them: portmap, for one, removes
     * its rules only when it is told the port mappings again.
     */
    public void del(NetworkConfig net, String containerId, Path netnsPath, String ifname, JsonNode prevResult,
            Map<String, Object> runtimeConfig) throws CniException {
        validate(containerId, ifname);
        JsonNode prev = prevResult != null && !prevResult.isNull() && atLeast(net.cniVersion(), 0, 4)
                ? prevResult : null;
        CniException first = null;
        List<ObjectNode> plugins = net.plugins();
        for (int i = plugins.size() - 1; i >= 0; i--) {
            ObjectNode plugin = plugins.get(i);
            Call call = new Call("DEL", net, plugin, i, containerId, netnsPath, ifname);
            try {
                ExecResult r = invoke(call, stdin(net, plugin, prev, runtimeConfig));
                if (r.succeeded()) {
                    continue;
                }
                CniException e = call.failed(r);
                if (isGone(e)) {
                    LOG.info("{}: treated as already deleted (code {}): {}", call.describe(), e.code(),
                            e.cniMsg().isEmpty() ? e.getMessage() : e.cniMsg());
                    continue;
                }
                throw e;
            } catch (CniException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Where the plugin binary of this type is, if any bin dir has it. */
    public Optional<Path> findPlugin(String type) {
        for (Path dir : binDirs) {
            Path candidate = dir.resolve(type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    public List<Path> binDirs() {
        return binDirs;
    }

    /** The stdin of one plugin call: libcni's buildOneConfig plus injectRuntimeConfig. */
    static byte[] stdin(NetworkConfig net, ObjectNode plugin, JsonNode prevResult, Map<String, Object> runtimeConfig) {
        ObjectNode conf = plugin.deepCopy();
        conf.put("name", net.name());
        conf.put("cniVersion", net.cniVersion());
        if (prevResult != null) {
            conf.set("prevResult", prevResult.deepCopy());
        }
        Map<String, Object> granted = new TreeMap<>();
        JsonNode caps = plugin.get("capabilities");
        if (caps != null && caps.isObject() && runtimeConfig != null) {
            runtimeConfig.forEach((capability, value) -> {
                if (caps.path(capability).asBoolean(false) && value != null) {
                    granted.put(capability, value);
                }
            });
        }
        if (!granted.isEmpty()) {
            conf.set("runtimeConfig", Json.MAPPER.valueToTree(granted));
        }
        return Json.write(conf);
    }

    private ExecResult invoke(Call call, byte[] stdin) throws CniException {
        Path binary = findPlugin(call.type()).orElseThrow(() -> new CniException(call.describe()
                + " failed: plugin '" + call.type() + "' not found in "
                + binDirs.stream().map(Path::toString).collect(Collectors.joining(", "))
                + "; install it (containernetworking-plugins) or add its dir with --cni-bin-dir"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", call.command());
        env.put("CNI_CONTAINERID", call.containerId());
        env.put("CNI_NETNS", call.netnsPath().toString());
        env.put("CNI_IFNAME", call.ifname());
        env.put("CNI_PATH", binDirs.stream().map(Path::toString).collect(Collectors.joining(":")));
        env.put("PATH", ExecRequest.DEFAULT_PATH);
        ExecRequest request = new ExecRequest(List.of(binary.toString()), env, stdin, timeout, null, MAX_OUTPUT);
        try {
            return runner.run(request);
        } catch (ProcessTimeoutException e) {
            throw new CniException(call.describe() + " timed out: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CniException(call.describe() + " could not run: " + e.getMessage(), e);
        }
    }

    private static boolean isGone(CniException e) {
        if (e.code() == CniException.CONTAINER_UNKNOWN) {
            return true;
        }
        String text = (e.cniMsg() + " " + e.details()).toLowerCase(java.util.Locale.ROOT);
        return text.contains("not found") || text.contains("no such file or directory")
                || text.contains("does not exist");
    }

    private static void validate(String containerId, String ifname) {
        if (containerId == null || !CONTAINER_ID.matcher(containerId).matches()) {
            throw new IllegalArgumentException("invalid CNI container id: " + containerId);
        }
        // libcni's ValidateInterfaceName: what the kernel accepts as a link name.
        if (ifname == null || ifname.isEmpty() || ifname.length() > 15 || ifname.equals(".") || ifname.equals("..")
                || ifname.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c) || c < 0x21)) {
            throw new IllegalArgumentException("invalid interface name: " + ifname);
        }
    }

    /** Whether a CNI version string ("0.4.0", "1.0.0") is at least major.minor; unparsable is not. */
    static boolean atLeast(String version, int major, int minor) {
        String[] parts = version.split("\\.");
        try {
            int ma = Integer.parseInt(parts[0]);
            int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** One plugin invocation, for messages and result handling. */
    private record Call(String command, NetworkConfig net, ObjectNode plugin, int index, String containerId,
            Path netnsPath, String ifname) {

        String type() {
            return NetworkConfig.type(plugin);
        }

        String describe() {
            return "CNI " + command + " of network '" + net.name() + "' (plugin " + type()
                    + (net.plugins().size() > 1 ? ", " + (index + 1) + " of " + net.plugins().size() : "")
                    + ") for " + containerId + " " + ifname;
        }

        String fix() {
            return net.file() != null ? "; check " + net.file() + " and the plugin's requirements" : "";
        }

        /** A non-zero exit: the CNI error result on stdout if there is one, else exit code and stderr. */
        CniException failed(ExecResult r) {
            try {
                JsonNode err = Json.parse(r.stdout());
                if (err.isObject() && (err.has("code") || err.has("msg"))) {
                    int code = err.path("code").asInt(CniException.NO_CODE);
                    String msg = Text.clean(err.path("msg").asText(""), 1000);
                    String details = Text.clean(err.path("details").asText(""), 1000);
                    return new CniException(describe() + " failed with code " + code + ": " + msg
                            + (details.isEmpty() ? "" : " (" + details + ")") + fix(), code, msg, details, null);
                }
            } catch (IOException e) {
                // not JSON: fall through to exit code and stderr
            }
            String stderr = Text.clean(r.stderr(), 1000);
            String stdout = Text.clean(r.stdout(), 300);
            return new CniException(describe() + " failed with exit code " + r.exitCode()
                    + (stderr.isEmpty() ? "" : ": " + stderr)
                    + (stdout.isEmpty() ? "" : "; it printed '" + stdout + "'")
                    + (stderr.isEmpty() && stdout.isEmpty() ? " and no error message" : "") + fix());
        }

        /** A zero exit must still come with a JSON object result. */
        JsonNode result(ExecResult r) throws CniException {
            if (r.truncated()) {
                throw new CniException(describe() + " printed more than " + MAX_OUTPUT + " bytes; that is not a"
                        + " CNI result" + fix());
            }
            JsonNode result;
            try {
                result = Json.parse(r.stdout());
            } catch (IOException e) {
                String out = Text.clean(r.stdout(), 200);
                throw new CniException(describe() + " succeeded but printed "
                        + (out.isEmpty() ? "no result" : "something that is not a CNI result: '" + out + "'") + fix(), e);
            }
            if (!result.isObject()) {
                throw new CniException(describe() + " succeeded but its result is not a JSON object: '"
                        + Text.clean(r.stdout(), 200) + "'" + fix());
            }
            return result;
        }
    }
}
