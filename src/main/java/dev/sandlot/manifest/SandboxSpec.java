package dev.sandlot.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The desired sandbox with every default applied ({@code hostname} defaults to the name,
 * {@code restartPolicy} to Always). Any difference in a spec replaces the sandbox, so it holds only
 * what the sandbox is made of, never formatting or labels.
 *
 * <p>The components after {@code restartPolicy} came later. Each holds its "absent" value (null,
 * [], false) when the manifest does not use it, <em>also when the manifest writes the default
 * out</em> ({@code stopSignal: TERM}, {@code terminationGracePeriod: 10s}), and is then left out of
 * the canonical JSON ({@link SpecHash}) and of {@code sandbox.json}: a spec that does not use them
 * hashes exactly as it did before they existed, and a record written before them reads back with
 * their absent values. Read the defaults through the convenience methods ({@link #effectiveStopSignal()},
 * {@link #gracePeriod()}), which are deliberately not getters, so JSON never sees them.
 *
 * @param healthCheck                   null: none
 * @param dependsOn                     names of other sandboxes that must be Ready before this one starts; []: none.
 *                                      Each a valid name, not this sandbox's own, no duplicates (whether they
 *                                      exist, and cycles, are checked across files, not here)
 * @param suspend                       true: stopped and kept stopped, the manifest kept
 * @param stopSignal                    null: TERM; else a name from {@link Signals#STOP_SIGNALS} without "SIG",
 *                                      never "TERM" itself
 * @param terminationGracePeriodMillis  null: 10 s; else 0 to 1 h, never exactly 10 s; then KILL
 * @param schedule                      null: none; else a Quartz cron expression (valid per
 *                                      {@code org.quartz.CronExpression.isValidExpression}); only with
 *                                      restartPolicy Never or OnFailure, written out in the manifest
 * @param ports                         []: none; never two on one (hostPort, protocol, hostIP), nor a wildcard
 *                                      hostIP and another on the same hostPort and protocol; only with networks
 * @param dns                           null: none (the CNI result's DNS, then the host's)
 * @param placement                     null: every host
 */
public record SandboxSpec(
        Rootfs rootfs,
        ProcessSpec process,
        String hostname,
        List<String> networks,
        List<MountSpec> mounts,
        Resources resources,
        RestartPolicy restartPolicy,
        @JsonInclude(JsonInclude.Include.NON_NULL) HealthCheck healthCheck,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> dependsOn,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean suspend,
        @JsonInclude(JsonInclude.Include.NON_NULL) String stopSignal,
        @JsonInclude(JsonInclude.Include.NON_NULL) Long terminationGracePeriodMillis,
        @JsonInclude(JsonInclude.Include.NON_NULL) String schedule,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<PortMapping> ports,
        @JsonInclude(JsonInclude.Include.NON_NULL) Dns dns,
        @JsonInclude(JsonInclude.Include.NON_NULL) Placement placement) {

    public static final String DEFAULT_STOP_SIGNAL = "TERM";
    public static final Duration DEFAULT_GRACE_PERIOD = Duration.ofSeconds(10);
    public static final Duration MAX_GRACE_PERIOD = Duration.ofHours(1);

    public SandboxSpec {
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(hostname, "hostname");
        networks = List.copyOf(networks);
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(restartPolicy, "restartPolicy");
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
        ports = ports == null ? List.of() : List.copyOf(ports);
    }

    /**
     * The spec as it was before the lifecycle, networking and placement fields: every one of them
     * absent. For code and tests that do not care about them.
     */
    public SandboxSpec(Rootfs rootfs, ProcessSpec process, String hostname, List<String> networks,
            List<MountSpec> mounts, Resources resources, RestartPolicy restartPolicy) {
        this(rootfs, process, hostname, networks, mounts, resources, restartPolicy,
                null, List.of(), false, null, null, null, List.of(), null, null);
    }

    /** This spec with another process (the bundle's, with envFrom files read into its env). */
    public SandboxSpec withProcess(ProcessSpec other) {
        return new SandboxSpec(rootfs, other, hostname, networks, mounts, resources, restartPolicy, healthCheck,
                dependsOn, suspend, stopSignal, terminationGracePeriodMillis, schedule, ports, dns, placement);
    }

    /** The signal that asks the process to stop, without "SIG": {@code TERM} unless the manifest says otherwise. */
    public String effectiveStopSignal() {
        return stopSignal == null ? DEFAULT_STOP_SIGNAL : stopSignal;
    }

    /** How long to wait after the stop signal before KILL: 10 s unless the manifest says otherwise. */
    public Duration gracePeriod() {
        return terminationGracePeriodMillis == null ? DEFAULT_GRACE_PERIOD
                : Duration.ofMillis(terminationGracePeriodMillis);
    }
}
