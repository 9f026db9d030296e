package dev.sandlot.manifest;

import java.util.List;
import java.util.Objects;

/**
 * The desired sandbox with every default applied ({@code hostname} defaults to the name,
 * {@code restartPolicy} to Always). Any difference in a spec replaces the sandbox, so it holds only
 * what the sandbox is made of, never formatting or labels.
 */
public record SandboxSpec(
        Rootfs rootfs,
        ProcessSpec process,
        String hostname,
        List<String> networks,
        List<MountSpec> mounts,
        Resources resources,
        RestartPolicy restartPolicy) {

    public SandboxSpec {
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(hostname, "hostname");
        networks = List.copyOf(networks);
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(restartPolicy, "restartPolicy");
    }
}
