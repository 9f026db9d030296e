package dev.sandlot.manifest;

import java.util.List;

/**
 * What goes into the sandbox's {@code /etc/resolv.conf}; an empty list falls back (per list) to the
 * CNI result's DNS, then the host's. A spec never holds a Dns with all three lists empty (that is
 * null).
 *
 * @param nameservers IP literals (IPv6 in RFC 5952 form), at most 3 (resolv.conf reads no more), no duplicates
 * @param searches    domain names, at most 6, no duplicates
 * @param options     resolv.conf options such as "ndots:2", "edns0": no whitespace, no duplicates
 */
public record Dns(List<String> nameservers, List<String> searches, List<String> options) {
    public static final int MAX_NAMESERVERS = 3;
    public static final int MAX_SEARCHES = 6;

    public Dns {
        nameservers = nameservers == null ? List.of() : List.copyOf(nameservers);
        searches = searches == null ? List.of() : List.copyOf(searches);
        options = options == null ? List.of() : List.copyOf(options);
    }
}
