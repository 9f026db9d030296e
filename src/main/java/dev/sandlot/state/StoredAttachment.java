package dev.sandlot.state;

/**
 * One attachment file. Index, network and ifname come from the file name, so that a corrupt or
 * empty record (containerd#8197) still says which network to DEL; {@code record} is then null.
 */
public record StoredAttachment(String fileName, int index, String network, String ifname,
        AttachmentRecord record) {

    public boolean added() {
        return record != null && record.added();
    }
}
