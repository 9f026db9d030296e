package dev.sandlot.observe;

import dev.sandlot.host.RunscContainer;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.StoredSandbox;
import java.time.Instant;
import java.util.List;

/**
 * One sandbox id as the host shows it: sandlot's records (null for a container found in sandlot's
 * runsc root without a record), runsc's view, and whether its netns and host-side interfaces exist.
 *
 * @param missingHostInterfaces host-side interfaces named by CNI results that no longer exist
 *                              (a veth or bridge deleted from outside)
 * @param exitCode              how the process ended, when known (null while running or unknown)
 * @param exitedAt              when it ended (as recorded, else when first observed ended), or null
 */
public record Incarnation(
        SandboxId id,
        StoredSandbox stored,
        RunscContainer container,
        RuntimeState runtime,
        boolean netnsExists,
        List<String> missingHostInterfaces,
        Integer exitCode,
        Instant exitedAt) {

    public Incarnation {
        missingHostInterfaces = List.copyOf(missingHostInterfaces);
    }

    public String name() {
        return id.name();
    }

    public String specHash() {
        return stored == null || stored.record() == null ? null : stored.record().specHash();
    }

    /** When this incarnation was created, or null without a readable record. */
    public Instant createdAt() {
        return stored == null || stored.record() == null ? null : stored.record().createdAt();
    }

    public int pid() {
        return container == null || runtime != RuntimeState.RUNNING ? 0 : container.pid();
    }
}
