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

    private static final Pattern HTTP_PATH = Pattern.compile("/(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*");
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:]{2,39}");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9A-Fa-f]{1,4}");
    private static final Pattern DNS_OPTION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:+-]{0,63}");
    private static final Pattern HOST_PATTERN = Pattern.compile("[a-zA-Z0-9.*?-]{1,253}");
    /** The OCI image-spec grammar of {@code org.opencontainers.image.ref.name}. */
    private static final Pattern IMAGE_REF = Pattern.compile(
            "[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*");
    static final int MAX_HTTP_PATH = 2048;
    static final int MAX_DOMAIN = 253;
    static final int MAX_IMAGE_REF = 255;
    static final int MAX_SCHEDULE = 256;

    static final List<String> FORBIDDEN_MOUNT_SOURCES = HostFolders.MOUNT_SOURCES;
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
        return HostFolders.isUnder(path, root);
    }

    /** A rootfs directory or image layout: never a host folder of {@link HostFolders#ROOTFS}, nor above one. */
    static String rootfsPath(String path) {
        String problem = absolutePath(path);
        if (problem != null) {
            return problem;
        }
        if (path.equals("/")) {
            return "must not be the host's root directory";
        }
        String forbidden = HostFolders.under(path, HostFolders.ROOTFS);
        if (forbidden != null) {
            return "must not be " + forbidden + " or under it";
        }
        String inside = HostFolders.inside(path, HostFolders.ROOTFS);
        return inside == null ? null : "must not contain " + inside + " (the sandbox would see it)";
    }

    static String archive(String path) {
        String problem = absolutePath(path);
        if (problem != null) {
            return problem;
        }
        if (!(path.endsWith(".tar") || path.endsWith(".tar.gz") || path.endsWith(".tgz"))) {
            return "must be a .tar, .tar.gz or .tgz file";
        }
        String forbidden = HostFolders.under(path, HostFolders.ROOTFS);
        return forbidden == null ? null : "must not be under " + forbidden;
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

    static String dependency(String name) {
        String problem = name(name);
        return problem == null ? null : "must be a sandbox name: " + problem.substring("must be ".length());
    }

    static String httpPath(String path) {
        return path.length() <= MAX_HTTP_PATH && HTTP_PATH.matcher(path).matches() ? null
                : "must be an absolute URL path such as /healthz: starting with '/', only URL characters"
                        + " and %XX escapes, no spaces, at most " + MAX_HTTP_PATH + " characters";
    }

    static final String IP_RULE = "must be an IPv4 address (such as 10.0.0.1, no leading zeros) or an IPv6 address"
            + " (such as fd00::1, hex groups only)";

    /**
     * An IP address literal in canonical form (IPv4 as written, IPv6 as RFC 5952 says), or null when
     * {@code text} is not one. Pure text: never a name lookup.
     */
    static String ipLiteral(String text) {
        if (IPV4.matcher(text).matches()) {
            return text;
        }
        int[] groups = ipv6(text);
        return groups == null ? null : formatIpv6(groups);
    }

    private static int[] ipv6(String text) {
        if (!IPV6_CHARS.matcher(text).matches()) {
            return null;
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap < 0 ? text : text.substring(0, gap);
        String tail = gap < 0 ? "" : text.substring(gap + 2);
        String[] before = head.isEmpty() ? new String[0] : head.split(":", -1);
        String[] after = tail.isEmpty() ? new String[0] : tail.split(":", -1);
        int count = before.length + after.length;
        if (gap < 0 ? count != 8 : count > 7) {
            return null;
        }
        int[] groups = new int[8];
        for (int i = 0; i < before.length; i++) {
            if (!HEX_GROUP.matcher(before[i]).matches()) {
                return null;
            }
            groups[i] = Integer.parseInt(before[i], 16);
        }
        for (int i = 0; i < after.length; i++) {
            if (!HEX_GROUP.matcher(after[i]).matches()) {
                return null;
            }
            groups[8 - after.length + i] = Integer.parseInt(after[i], 16);
        }
        return groups;
    }

    /** RFC 5952: lowercase, no leading zeros, the longest run of two or more zero groups (the first of equals) as "::". */
    private static String formatIpv6(int[] groups) {
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    static String domain(String domain) {
        String problem = "must be a domain name of at most " + MAX_DOMAIN
                + " characters (labels of letters, digits and '-', separated by '.')";
        if (domain.isEmpty() || domain.length() > MAX_DOMAIN) {
            return problem;
        }
        for (String label : domain.split("\\.", -1)) {
            if (!HOST_LABEL.matcher(label).matches()) {
                return problem;
            }
        }
        return null;
    }

    static String dnsOption(String option) {
        return DNS_OPTION.matcher(option).matches() ? null
                : "must be a resolv.conf option such as ndots:2 or edns0: at most 64 letters, digits,"
                        + " '_', '.', ':', '+' and '-', no spaces";
    }

    static String hostPattern(String pattern) {
        return HOST_PATTERN.matcher(pattern).matches() ? null
                : "must be a host name pattern: letters, digits, '.', '-' and the wildcards '*' and '?',"
                        + " at most 253 characters";
    }

    static String imageRef(String ref) {
        return ref.length() <= MAX_IMAGE_REF && IMAGE_REF.matcher(ref).matches() ? null
                : "must be an image reference name (such as latest, 3.12-slim or example.com/app:v1):"
                        + " letters and digits joined by '.', '_', '-', ':', '@', '+' or '/', at most "
                        + MAX_IMAGE_REF + " characters";
    }

    /** A file of KEY=VALUE lines on the host: a normalized absolute path, never under /proc, /sys or /dev. */
    static String envFile(String path) {
        String problem = absolutePath(path);
        if (problem != null) {
            return problem;
        }
        if (path.equals("/")) {
            return "must be a file, not /";
        }
        for (String forbidden : FORBIDDEN_DESTINATIONS) {
            if (isUnder(path, forbidden)) {
                return "must not be " + forbidden + " or under it";
            }
        }
        return null;
    }

    static final String SCHEDULE_RULE = "must be a Quartz cron expression: seconds minutes hours day-of-month month"
            + " day-of-week [year], with '?' in one of the day fields, such as 0 */5 * * * ?";

    static String schedule(String expression) {
        if (expression.length() > MAX_SCHEDULE) {
            return "must be at most " + MAX_SCHEDULE + " characters";
        }
        for (int i = 0; i < expression.length(); i++) {
            char c = expression.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return SCHEDULE_RULE;
            }
        }
        try {
            return org.quartz.CronExpression.isValidExpression(expression) ? null : SCHEDULE_RULE;
        } catch (RuntimeException e) {
            return SCHEDULE_RULE; // Quartz's parser has thrown more than ParseException on odd input
        }
    }
}
