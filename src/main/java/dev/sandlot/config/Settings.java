package dev.sandlot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting sandlot runs with, resolved from defaults, then {@code /etc/sandlot/config.yaml}
 * (or {@code --config}), then command-line options. Immutable: a pass always sees one consistent set.
 *
 * @param mountAllowList host directories under which bind-mount sources may live (default /srv)
 * @param secretDirs     host directories under which {@code process.envFrom} files may live
 *                       (default /etc/sandlot/secrets): a manifest, perhaps from git, can never
 *                       name some other root-only file of the host
 * @param crashLoopInitial the wait before the second restart in a row (then doubling)
 * @param crashLoopMax     the longest wait between restarts
 * @param crashLoopReset   how long a sandbox must have run for its restarts to count from zero again
 * @param hostName         this host's name for {@code spec.placement.hosts} (default: the machine's host name)
 * @param hostLabels       this host's labels for {@code spec.placement.hostLabels}
 * @param git              the {@code git:} source, or null: the manifests folder
 * @param logFormat        the daemon's log layout: {@code text} (no timestamp under journald) or {@code json}
 */
public record Settings(
        Path manifestsDir,
        Path stateDir,
        Path runDir,
        Path cniConfDir,
        List<Path> cniBinDirs,
        String runsc,
        List<String> runscFlags,
        List<Path> mountAllowList,
        Path netnsDir,
        int parallelism,
        Duration resyncInterval,
        String metricsAddress,
        Duration crashLoopInitial,
        Duration crashLoopMax,
        Duration crashLoopReset,
        String hostName,
        java.util.Map<String, String> hostLabels,
        GitSettings git,
        List<Path> secretDirs,
        String logFormat) {

    public static final Path DEFAULT_CONFIG = Path.of("/etc/sandlot/config.yaml");

    public Settings {
        cniBinDirs = List.copyOf(cniBinDirs);
        runscFlags = List.copyOf(runscFlags);
        mountAllowList = List.copyOf(mountAllowList);
        secretDirs = List.copyOf(secretDirs);
        hostLabels = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(hostLabels));
    }

    public static Settings defaults() {
        return new Settings(
                Path.of("/etc/sandlot/manifests"),
                Path.of("/var/lib/sandlot"),
                Path.of("/run/sandlot"),
                Path.of("/etc/cni/net.d"),
                List.of(Path.of("/opt/cni/bin"), Path.of("/usr/lib/cni")),
                "runsc",
                List.of(),
                List.of(Path.of("/srv")),
                Path.of("/run/netns"),
                // At least 16: most of a bring-up is waiting on runsc and the plugins, and a burst of
                // 10 done in one wave instead of 8 + 2 is ~20% sooner on 2 cores (bench/README.md).
                Math.max(16, Runtime.getRuntime().availableProcessors() * 4),
                Duration.ofSeconds(30),
                "127.0.0.1:9464",
                Duration.ofSeconds(10),
                Duration.ofMinutes(5),
                Duration.ofMinutes(10),
                machineHostName(),
                java.util.Map.of(),
                null,
                List.of(Path.of("/etc/sandlot/secrets")),
                "text");
    }

    /** The kernel's host name (of this UTS namespace), as {@code hostname} prints it. */
    public static String machineHostName() {
        try {
            String name = java.nio.file.Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            return name.isEmpty() ? "localhost" : name;
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }

    /** runsc's state root: always inside the run dir, so sandlot only ever sees its own containers. */
    public Path runscRoot() {
        return runDir.resolve("runsc");
    }
}
