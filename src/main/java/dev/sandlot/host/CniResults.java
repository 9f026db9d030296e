package dev.sandlot.host;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading CNI results (the JSON a plugin chain returns from ADD). */
public final class CniResults {
    private CniResults() {
    }

    /** The first IPv4 address in {@code ips}, without its prefix length, or null. */
    public static String firstIpv4(JsonNode result) {
        JsonNode ips = result == null ? null : result.get("ips");
        if (ips == null || !ips.isArray()) {
            return null;
        }
        for (JsonNode ip : ips) {
            String address = ip.path("address").asText("");
            String bare = address.contains("/") ? address.substring(0, address.indexOf('/')) : address;
            if (bare.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                return bare;
            }
        }
        return null;
    }
}
