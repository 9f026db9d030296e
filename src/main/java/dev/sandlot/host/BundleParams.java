package dev.sandlot.host;

import dev.sandlot.manifest.SandboxSpec;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a sandbox's OCI {@code config.json} is made of.
 *
 * @param id          the sandbox id (also the runsc container id)
 * @param rootfsDir   the root filesystem directory, used read-only
 * @param netnsPath   the network namespace sandlot made for it ({@code /run/netns/<id>})
 * @param cgroupsPath {@code linux.cgroupsPath}, e.g. {@code /sandlot/<id>}; runsc applies
 *                    {@code linux.resources} only when it is set
 * @param resolvConf  a file to bind read-only at /etc/resolv.conf, or null
 * @param hostsFile   a file to bind read-only at /etc/hosts, or null
 */
public record BundleParams(
        String id,
        SandboxSpec spec,
        Path rootfsDir,
        Path netnsPath,
        String cgroupsPath,
        Path resolvConf,
        Path hostsFile) {

    public BundleParams {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(rootfsDir, "rootfsDir");
        Objects.requireNonNull(netnsPath, "netnsPath");
        Objects.requireNonNull(cgroupsPath, "cgroupsPath");
    }
}
