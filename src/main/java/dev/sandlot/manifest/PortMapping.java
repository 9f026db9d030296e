package dev.sandlot.manifest;

import java.util.Objects;

/**
 * One published port, passed to CNI plugins that declare the {@code portMappings} capability (the
 * {@code portmap} plugin), as {@code podman -p} and Kubernetes {@code hostPort} do.
 *
 * @param containerPort 1 to 65535
 * @param hostPort      1 to 65535; the manifest's default is containerPort
 * @param protocol      "tcp" (default) or "udp", lowercase as CNI wants ("TCP"/"UDP" in a manifest are lowered)
 * @param hostIP        null: every host address; else an IPv4 literal (dotted quad, no leading zeros) or an
 *                      IPv6 literal (hex groups, no zone, no embedded IPv4), IPv6 in RFC 5952 form
 */
public record PortMapping(int containerPort, int hostPort, String protocol, String hostIP) {
    public static final String TCP = "tcp";
    public static final String UDP = "udp";

    public PortMapping {
        Objects.requireNonNull(protocol, "protocol");
    }
}
