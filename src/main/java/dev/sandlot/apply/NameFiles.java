package dev.sandlot.apply;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;


/**
 * The sandbox's {@code /etc/resolv.conf} and {@code /etc/hosts}: files sandlot writes into the
 * sandbox's own state folder and bind-mounts read-only, so that a shared, read-only rootfs is never
 * written to. DNS comes from the manifest, else from what the CNI result returns, else from the
 * host (without loopback resolvers, which do not answer inside another netns), like Docker.
 */
final class NameFiles {
    static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");

    private NameFiles() {
    }

    /** resolv.conf text; {@code manifest*} lists are empty when the manifest says nothing. */
    static String resolvConf(List<String> manifestServers, List<String> manifestSearches, List<String> manifestOptions,
            JsonNode cniResult, Path hostResolvConf) {
        List<String> servers = new ArrayList<>(manifestServers);
        List<String> searches = new ArrayList<>(manifestSearches);
        List<String> options = new ArrayList<>(manifestOptions);
        if (servers.isEmpty() && cniResult != null) {
            JsonNode dns = cniResult.path("dns");
            dns.path("nameservers").forEach(n -> servers.add(n.asText()));
            if (searches.isEmpty()) {
                dns.path("search").forEach(n -> searches.add(n.asText()));
            }
            if (options.isEmpty()) {
                dns.path("options").forEach(n -> options.add(n.asText()));
            }
        }
        if (servers.isEmpty()) {
            readHost(hostResolvConf, servers, searches, options);
        }
        StringBuilder b = new StringBuilder("# written by sandlot\n");
        for (String s : new LinkedHashSet<>(servers)) {
            if (safe(s)) {
                b.append("nameserver ").append(s).append('\n');
            }
        }
        List<String> cleanSearches = searches.stream().filter(NameFiles::safe).distinct().toList();
        if (!cleanSearches.isEmpty()) {
            b.append("search ").append(String.join(" ", cleanSearches)).append('\n');
        }
        List<String> cleanOptions = options.stream().filter(NameFiles::safe).distinct().toList();
        if (!cleanOptions.isEmpty()) {
            b.append("options ").append(String.join(" ", cleanOptions)).append('\n');
        }
        return b.toString();
    }

    private static void readHost(Path file, List<String> servers, List<String> searches, List<String> options) {
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 2 || f[0].startsWith("#")) {
                    continue;
                }
                switch (f[0]) {
                    case "nameserver" -> {
                        if (!f[1].startsWith("127.") && !f[1].equals("::1")) {
                            servers.add(f[1]);
                        }
                    }
                    case "search" -> {
                        if (searches.isEmpty()) {
                            searches.addAll(List.of(f).subList(1, f.length));
                        }
                    }
                    case "options" -> {
                        if (options.isEmpty()) {
                            options.addAll(List.of(f).subList(1, f.length));
                        }
                    }
                    default -> { }
                }
            }
        } catch (IOException e) {
            // no host resolv.conf: the sandbox gets none either
        }
    }

    /** hosts text: localhost, and the sandbox's own name on its IP (if it has one). */
    static String hosts(String hostname, String ip) {
        StringBuilder b = new StringBuilder("# written by sandlot\n127.0.0.1\tlocalhost\n"
                + "::1\tlocalhost ip6-localhost ip6-loopback\n");
        if (ip != null && safe(ip)) {
            b.append(ip).append('\t').append(hostname).append('\n');
        } else {
            b.append("127.0.1.1\t").append(hostname).append('\n');
        }
        return b.toString();
    }

    /** No whitespace or control characters can sneak a second directive into the file. */
    private static boolean safe(String token) {
        return !token.isEmpty() && token.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

}
