package dev.sandlot.manifest;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which hosts run the sandbox; a host that does not match ignores it (and removes it if it runs
 * there). A spec never holds a Placement with both empty (that is null: every host).
 *
 * @param hosts      glob patterns over host names ({@code *} any run of characters, {@code ?} one;
 *                   otherwise {@code [a-zA-Z0-9.-]}), matched case-insensitively; the host must match
 *                   one of them. []: any host name
 * @param hostLabels labels the host's config must all have with exactly these values; {}: any labels
 */
public record Placement(List<String> hosts, Map<String, String> hostLabels) {
    public Placement {
        hosts = hosts == null ? List.of() : List.copyOf(hosts);
        hostLabels = hostLabels == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new TreeMap<>(hostLabels));
    }

    /** Whether a host with this name and these config labels runs the sandbox. */
    public boolean matches(String hostName, Map<String, String> labels) {
        if (!hosts.isEmpty() && hosts.stream().noneMatch(pattern -> glob(pattern, hostName))) {
            return false;
        }
        for (Map.Entry<String, String> wanted : hostLabels.entrySet()) {
            if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** {@code *} and {@code ?} globbing, case-insensitive, at most pattern × name steps (no exponential backtracking). */
    static boolean glob(String pattern, String name) {
        String p = pattern.toLowerCase(Locale.ROOT);
        String s = name.toLowerCase(Locale.ROOT);
        int pi = 0;
        int si = 0;
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == s.charAt(si))) {
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }
}
