package dev.sandlot.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;

/**
 * One CNI attachment (network × interface) of a sandbox, as libcni keeps it: written with the
 * exact config bytes before ADD, completed with the result after, and replayed by DEL. A record
 * without a result means ADD may have run half-way: DEL must still run (containerd#12923).
 *
 * @param index position in the chain: 0 is loopback, then each network in manifest order
 */
public record AttachmentRecord(
        int format,
        int index,
        String network,
        String ifname,
        String configBase64,
        JsonNode result) {

    public static AttachmentRecord beforeAdd(int index, String network, String ifname, byte[] config) {
        return new AttachmentRecord(StateStore.FORMAT, index, network, ifname,
                Base64.getEncoder().encodeToString(config), null);
    }

    public AttachmentRecord withResult(JsonNode addResult) {
        return new AttachmentRecord(format, index, network, ifname, configBase64, addResult);
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
