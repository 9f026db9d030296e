package dev.sandlot.manifest;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The value rules of DESIGN.md §1, as pure functions: each returns null when the value is fine,
 * or a message that never repeats the value. Patterns are ASCII-only and matched in full, so
 * Unicode look-alikes, newlines and trailing garbage never pass.
 */
final class Rules {
    static final int MAX_NAME = 32;
    static final int MAX_HOSTNAME = 63;
    static final int MAX_NETWORK = 128;
    static final int MAX_PATH = 4096;

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?");
    private static final Pattern HOST_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern NETWORK = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /** Mount sources are never these nor under them, whatever the allow-list says (RELIABILITY.md §E.36). */
    static final List<String> FORBIDDEN_MOUNT_SOURCES =
            List.of("/etc", "/proc", "/sys", "/dev", "/run", "/var/lib/cni", "/var/lib/sandlot");
    static final List<String> FORBIDDEN_DESTINATIONS = List.of("/proc", "/sys", "/dev");

    private Rules() {
    }

    static String name(String name) {
        return NAME.matcher(name).matches() ? null
                : "must be 1 to 32 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";
    }

    static String hostname(String hostname) {
        String problem = "must be an RFC 1123 host name of at most 63 characters (letters, digits, '-' and '.')";
        if (hostname.isEmpty() || hostname.length() > MAX_HOSTNAME) {
            return problem;
        }
        for (String label : hostname.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return problem;
            }
        }
        return null;
    }

    static String network(String network) {
        return network.length() <= MAX_NETWORK && NETWORK.matcher(network).matches() ? null
                : "must be a CNI network name: letters, digits, '_', '.' and '-', starting with a letter or digit,"
                        + " at most " + MAX_NETWORK + " characters";
    }

    static String envKey(String key) {
        return ENV_KEY.matcher(key).matches() ? null
                : "environment variable names must be letters, digits and '_', not starting with a digit";
    }

    static String labelKey(String key) {
        int slash = key.indexOf('/');
        String prefix = slash < 0 ? null : key.substring(0, slash);
        String name = slash < 0 ? key : key.substring(slash + 1);
        boolean ok = LABEL_NAME.matcher(name).matches()
                && (prefix == null || prefix.length() <= 253 && DNS_SUBDOMAIN.matcher(prefix).matches());
        return ok ? null
                : "label keys must be [prefix/]name: name at most 63 letters, digits, '-', '_' or '.',"
                        + " beginning and ending with a letter or digit; prefix a DNS subdomain";
    }

    static String labelValue(String value) {
        return value.isEmpty() || LABEL_NAME.matcher(value).matches() ? null
                : "label values must be empty or at most 63 letters, digits, '-', '_' or '.',"
                        + " beginning and ending with a letter or digit";
    }

    /** An absolute path with no empty, '.' or '..' component and no trailing '/' (except "/" itself). */
    static String absolutePath(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return "must be an absolute path";
        }
        if (path.length() > MAX_PATH) {
            return "must be at most " + MAX_PATH + " characters";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "must not contain control characters";
            }
        }
        if (path.equals("/")) {
            return null;
        }
        if (path.endsWith("/")) {
            return "must be a normalized absolute path (no trailing '/')";
        }
        for (String component : path.substring(1).split("/", -1)) {
            if (component.isEmpty()) {
                return "must be a normalized absolute path (no '//')";
            }
            if (component.equals("..")) {
                return "must be a normalized absolute path (no '..')";
            }
            if (component.equals(".")) {
                return "must be a normalized absolute path (no '.' components)";
            }
        }
        return null;
    }

    /** True when normalized absolute {@code path} is {@code root} or lies under it. */
    static boolean isUnder(String path, String root) {
        return root.equals("/") || path.equals(root) || path.startsWith(root + "/");
    }

    static String rootfsPath(String path) {
        String problem = absolutePath(path);
        if (problem != null) {
            return problem;
        }
        if (path.equals("/")) {
            return "must not be the host's root directory";
        }
        for (String forbidden : FORBIDDEN_DESTINATIONS) {
            if (isUnder(path, forbidden)) {
                return "must not be " + forbidden + " or under it";
            }
        }
        return null;
    }

    static String archive(String path) {
        String problem = absolutePath(path);
        if (problem != null) {
            return problem;
        }
        if (!(path.endsWith(".tar") || path.endsWith(".tar.gz") || path.endsWith(".tgz"))) {
            return "must be a .tar, .tar.gz or .tgz file";
        }
        for (String forbidden : FORBIDDEN_DESTINATIONS) {
            if (isUnder(path, forbidden)) {
                return "must not be under " + forbidden;
            }
        }
        return null;
    }

    static String cwd(String path) {
        String problem = absolutePath(path);
        if (problem != null) {
            return problem;
        }
        return isUnder(path, "/proc") ? "must not be /proc or under it (runc CVE-2024-21626)" : null;
    }

    static String mountSource(String path, List<String> allowedRoots) {
        String problem = absolutePath(path);
        if (problem != null) {
            return problem;
        }
        if (path.equals("/")) {
            return "must not be /";
        }
        for (String forbidden : FORBIDDEN_MOUNT_SOURCES) {
            if (isUnder(path, forbidden)) {
                return "must not be " + forbidden + " or under it";
            }
        }
        for (String root : allowedRoots) {
            if (isUnder(path, root)) {
                return null;
            }
        }
        if (allowedRoots.isEmpty()) {
            return "bind mounts are not allowed on this host (the mount allow-list is empty)";
        }
        return "must be under an allowed mount root (" + String.join(", ", allowedRoots)
                + "; see --mount-allow)";
    }

    static String mountDestination(String path) {
        String problem = absolutePath(path);
        if (problem != null) {
            return problem;
        }
        if (path.equals("/")) {
            return "must not be /";
        }
        for (String forbidden : FORBIDDEN_DESTINATIONS) {
            if (isUnder(path, forbidden)) {
                return "must not be " + forbidden + " or under it";
            }
        }
        return null;
    }
}
