package dev.sandlot.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One CNI network as a plugin list (a {@code .conf} holding a single plugin is turned into a
 * one-plugin list, as libcni does).
 *
 * @param bytes   the exact configuration to record before ADD and to replay at DEL (CNI spec,
 *                "Lifecycle & Ordering": DEL uses the config of ADD even if the file changed since)
 * @param plugins the plugin objects in chain order; treat them as read-only
 * @param file    the file it came from, or null
 */
public record NetworkConfig(String name, String cniVersion, byte[] bytes, List<ObjectNode> plugins, Path file) {

    /** CNI spec: a network name; also what host-local uses as a directory name. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]*");

    private static final byte[] LOOPBACK =
            "{\"cniVersion\":\"0.3.1\",\"name\":\"lo\",\"plugins\":[{\"type\":\"loopback\"}]}"
                    .getBytes(StandardCharsets.UTF_8);

    public NetworkConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cniVersion, "cniVersion");
        bytes = bytes.clone();
        plugins = List.copyOf(plugins);
    }

    /** The bytes; a copy, so a caller cannot change what gets replayed. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The loopback network every sandbox gets, always brought up with ifname {@code lo}. */
    public static NetworkConfig loopback() {
        try {
            return parse(LOOPBACK, "built-in loopback", null);
        } catch (CniException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Parses a network config list, or a single-plugin config (recognised by having no
     * {@code plugins}), as recorded or as read from a file.
     *
     * @param origin where the bytes came from, for messages
     */
    public static NetworkConfig parse(byte[] bytes, String origin) throws CniException {
        return parse(bytes, origin, null);
    }

    static NetworkConfig parse(byte[] bytes, String origin, Path file) throws CniException {
        JsonNode root;
        try {
            root = Json.parse(bytes);
        } catch (IOException e) {
            throw new CniException(origin + " is not valid JSON: " + Text.clean(e.getMessage(), 300), e);
        }
        if (!root.isObject()) {
            throw new CniException(origin + " is not a JSON object");
        }
        String name = text(root, "name", origin);
        if (name == null) {
            throw new CniException(origin + " has no \"name\"");
        }
        if (!NAME.matcher(name).matches()) {
            throw new CniException(origin + ": network name '" + Text.clean(name, 80)
                    + "' is invalid (letters, digits, '_', '.', '-', starting with a letter or digit)");
        }
        String version = text(root, "cniVersion", origin);
        version = version == null ? "" : version;

        JsonNode pluginsNode = root.get("plugins");
        byte[] recorded = bytes;
        List<ObjectNode> plugins = new ArrayList<>();
        if (pluginsNode == null) {
            // A single-plugin .conf: upconvert to a list, as libcni's ConfListFromConf does.
            plugins.add(plugin(root, origin, 0));
            ObjectNode list = Json.MAPPER.createObjectNode();
            list.put("cniVersion", version);
            list.put("name", name);
            list.putArray("plugins").add(root.deepCopy());
            recorded = Json.write(list);
        } else {
            if (!pluginsNode.isArray() || pluginsNode.isEmpty()) {
                throw new CniException(origin + ": \"plugins\" must be a non-empty list");
            }
            int i = 0;
            for (JsonNode p : (ArrayNode) pluginsNode) {
                plugins.add(plugin(p, origin, i++));
            }
        }
        return new NetworkConfig(name, version, recorded, plugins, file);
    }

    /** The plugin's {@code type}: a file name in the CNI bin dirs, never a path (CVE-2021-20206). */
    static String type(ObjectNode plugin) {
        return plugin.get("type").asText();
    }

    private static ObjectNode plugin(JsonNode p, String origin, int index) throws CniException {
        String where = origin + ": plugin " + index;
        if (!p.isObject()) {
            throw new CniException(where + " is not a JSON object");
        }
        String type = text(p, "type", where);
        if (type == null || type.isEmpty()) {
            throw new CniException(where + " has no \"type\"");
        }
        if (type.contains("/") || type.contains("\\") || type.contains("..") || !TYPE.matcher(type).matches()) {
            throw new CniException(where + ": plugin type '" + Text.clean(type, 80)
                    + "' is not a plain program name; a type may not contain a path (CVE-2021-20206)");
        }
        JsonNode caps = p.get("capabilities");
        if (caps != null && !caps.isObject()) {
            throw new CniException(where + ": \"capabilities\" must be an object of booleans");
        }
        return ((ObjectNode) p).deepCopy();
    }

    private static String text(JsonNode node, String field, String origin) throws CniException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new CniException(origin + ": \"" + field + "\" must be a string");
        }
        return v.asText();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetworkConfig n && name.equals(n.name) && cniVersion.equals(n.cniVersion)
                && Arrays.equals(bytes, n.bytes) && plugins.equals(n.plugins) && Objects.equals(file, n.file);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, cniVersion, Arrays.hashCode(bytes), file);
    }

    @Override
    public String toString() {
        return "NetworkConfig[" + name + ", cniVersion " + cniVersion + ", " + plugins.size() + " plugin(s)"
                + (file == null ? "" : ", " + file) + "]";
    }
}
