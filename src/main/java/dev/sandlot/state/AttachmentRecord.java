package dev.sandlot.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Map;

/**
 * One CNI attachment (network × interface) of a sandbox, as libcni keeps it: written with the
 * exact config bytes before ADD, completed with the result after, and replayed by DEL. A record
 * without a result means ADD may have run half-way: DEL must still run (containerd#12923).
 *
 * @param index         position in the chain: 0 is loopback, then each network in manifest order
 * @param runtimeConfig the capability arguments given to ADD (port mappings), replayed by DEL; null
 *                      in records written before they were kept
 */
public record AttachmentRecord(
        int format,
        int index,
        String network,
        String ifname,
        String configBase64,
        JsonNode result,
        Map<String, Object> runtimeConfig) {

    public static AttachmentRecord beforeAdd(int index, String network, String ifname, byte[] config) {
        return beforeAdd(index, network, ifname, config, Map.of());
    }

    public static AttachmentRecord beforeAdd(int index, String network, String ifname, byte[] config,
            Map<String, Object> runtimeConfig) {
        return new AttachmentRecord(StateStore.FORMAT, index, network, ifname,
                Base64.getEncoder().encodeToString(config), null, runtimeConfig);
    }

    public AttachmentRecord withResult(JsonNode addResult) {
        return new AttachmentRecord(format, index, network, ifname, configBase64, addResult, runtimeConfig);
    }

    /** The runtime config to replay at DEL (never null). */
    public Map<String, Object> runtimeConfigOrEmpty() {
        return runtimeConfig == null ? Map.of() : runtimeConfig;
    }

    public byte[] configBytes() {
        return Base64.getDecoder().decode(configBase64);
    }

    public boolean added() {
        return result != null && !result.isNull();
    }

    /** The file name this record is stored under: stable per (index, network, ifname). */
    String fileName() {
        return String.format("attachment-%02d-%s.json", index, ifname);
    }
}
