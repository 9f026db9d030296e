package dev.sandlot.state;

import java.util.List;

/**
 * Everything on disk for one id. {@code record} is null when the sandbox record is missing or
 * corrupt: the id is still ours and its attachments still get their DEL. {@code exit} is null
 * until sandlot learns that the process ended; {@code pid} is the sandbox process as runsc wrote
 * it at start, or null.
 */
public record StoredSandbox(SandboxId id, SandboxRecord record, List<StoredAttachment> attachments,
        ExitRecord exit, Integer pid, List<String> problems) {
    public StoredSandbox {
        attachments = List.copyOf(attachments);
        problems = List.copyOf(problems);
    }
}
