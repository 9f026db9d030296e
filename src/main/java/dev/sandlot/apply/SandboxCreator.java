package dev.sandlot.apply;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.host.BundleParams;
import dev.sandlot.host.BundleWriter;
import dev.sandlot.host.CniException;
import dev.sandlot.host.CniResults;
import dev.sandlot.host.HostException;
import dev.sandlot.host.NetworkConfig;
import dev.sandlot.manifest.Dns;
import dev.sandlot.manifest.PortMapping;
import dev.sandlot.manifest.SandboxSpec;
import dev.sandlot.rootfs.ResolvedRootfs;
import dev.sandlot.rootfs.RootfsException;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.state.AtomicFiles;
import dev.sandlot.state.AttachmentRecord;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates one incarnation, in the order of DESIGN.md §4: record intent → netns → CNI ADD loopback
 * then each network (config recorded before, result after) → bundle → {@code runsc run -detach}.
 * Everything that can be checked without side effects (rootfs, mount sources, network names) is
 * checked first. If a step fails, what was made is torn down at once; records stay until that
 * teardown succeeds, so the next pass can finish it.
 */
final class SandboxCreator {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxCreator.class);

    private final HostClients host;
    private final SandboxTeardown teardown;
    private final RandomGenerator random;
    private final BundleWriter bundles = new BundleWriter();

    SandboxCreator(HostClients host, SandboxTeardown teardown, RandomGenerator random) {
        this.host = host;
        this.teardown = teardown;
        this.random = random;
    }

    SandboxId create(DesiredSandbox desired) throws ApplyException {
        String name = desired.name();
        SandboxSpec spec = desired.manifest().spec();
        SandboxSpec bundleSpec = withEnvFrom(name, spec, host.settings().secretDirs());
        HostPathGuard guard = new HostPathGuard(host);
        guard.checkMounts(name, spec);
        guard.checkRootfs(name, spec);
        List<NetworkConfig> networks = lookUpNetworks(name, spec);
        // Last of the checks: it may unpack an archive or image, and pins the tree until the record names it.
        ResolvedRootfs rootfs = preflightRootfs(name, spec);
        bundleSpec = resolveProcess(name, rootfs, bundleSpec);

        StateStore state = host.state();
        SandboxId id = SandboxId.newFor(name, random);
        String step = "record";
        try {
            try {
                state.writeSandbox(new SandboxRecord(StateStore.FORMAT, id.value(), name, desired.specHash(), spec,
                        desired.sourceFile(), host.clock().instant(), BootId.current(), rootfs.digest()));
            } finally {
                rootfs.release(); // from here on the record keeps the tree from collection
            }
            Crashpoint.reached("create:after-record");
            step = "netns";
            host.netns().create(id.value());
            Crashpoint.reached("create:after-netns");
            Path netnsPath = host.netns().path(id.value());
            step = "CNI ADD lo";
            List<JsonNode> results = new ArrayList<>();
            results.add(attach(id, 0, NetworkConfig.loopback(), "lo", netnsPath, Map.of()));
            for (int i = 0; i < networks.size(); i++) {
                step = "CNI ADD " + networks.get(i).name();
                // Port mappings go to the first network only: the same host port mapped on two
                // networks would install two competing DNAT rules.
                Map<String, Object> runtimeConfig = i == 0 ? portMappings(spec) : Map.of();
                results.add(attach(id, i + 1, networks.get(i), "eth" + i, netnsPath, runtimeConfig));
            }
            step = "resolv.conf and hosts";
            Path resolvConf = state.sandboxDir(id).resolve("resolv.conf");
            Path hosts = state.sandboxDir(id).resolve("hosts");
            JsonNode eth0 = results.size() > 1 ? results.get(1) : null;
            Dns dns = spec.dns() == null ? new Dns(List.of(), List.of(), List.of()) : spec.dns();
            AtomicFiles.write(resolvConf, NameFiles.resolvConf(dns.nameservers(), dns.searches(), dns.options(), eth0,
                    NameFiles.HOST_RESOLV_CONF).getBytes(StandardCharsets.UTF_8));
            AtomicFiles.write(hosts, NameFiles.hosts(spec.hostname(), eth0 == null ? null
                    : CniResults.firstIpv4(eth0)).getBytes(StandardCharsets.UTF_8));
            step = "bundle";
            Path bundle = state.bundleDir(id);
            bundles.write(bundle, new BundleParams(id.value(), bundleSpec, rootfs.dir(), netnsPath,
                    id.cgroupsPath(), resolvConf, hosts));
            Crashpoint.reached("create:after-bundle");
            step = "runsc run";
            Path log = state.logFile(name);
            Files.createDirectories(log.getParent());
            host.runsc().run(id.value(), bundle, log, state.pidFile(id));
            host.known().started(id);
            Crashpoint.reached("create:after-run");
            LOG.info("created {} ({})", name, id);
            return id;
        } catch (HostException | IOException | RuntimeException e) {
            ApplyException failure = new ApplyException(name, step, describe(e), e);
            try {
                teardown.teardown(id, true);
            } catch (ApplyException cleanup) {
                failure.addSuppressed(cleanup);
            }
            throw failure;
        }
    }

    private JsonNode attach(SandboxId id, int index, NetworkConfig net, String ifname, Path netnsPath,
            Map<String, Object> runtimeConfig) throws IOException, HostException {
        AttachmentRecord before = AttachmentRecord.beforeAdd(index, net.name(), ifname, net.bytes(), runtimeConfig);
        host.state().writeAttachment(id, before);
        JsonNode result = host.cni().add(net, id.value(), netnsPath, ifname, runtimeConfig);
        // Killed here, the result is lost but the record says ADD may have run: DEL still runs.
        Crashpoint.reached("create:before-cni-result-" + ifname);
        host.state().writeAttachment(id, before.withResult(result));
        Crashpoint.reached("create:after-cni-add-" + ifname);
        return result;
    }

    /** The CNI {@code portMappings} capability argument (what portmap reads), or nothing. */
    static Map<String, Object> portMappings(SandboxSpec spec) {
        if (spec.ports().isEmpty()) {
            return Map.of();
        }
        List<Map<String, Object>> mappings = new ArrayList<>();
        for (PortMapping p : spec.ports()) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("hostPort", p.hostPort());
            m.put("containerPort", p.containerPort());
            m.put("protocol", p.protocol());
            if (p.hostIP() != null) {
                m.put("hostIP", p.hostIP());
            }
            mappings.add(m);
        }
        return Map.of("portMappings", mappings);
    }

    /** The rootfs directory: as named, or an archive or image unpacked once per content digest. */
    private ResolvedRootfs preflightRootfs(String name, SandboxSpec spec) throws ApplyException {
        try {
            return host.rootfs().resolve(spec.rootfs());
        } catch (RootfsException e) {
            throw new ApplyException(name, "rootfs", e.getMessage(), e);
        }
    }

    /** The process the bundle runs: what the manifest leaves open filled in from the image config. */
    private static SandboxSpec resolveProcess(String name, ResolvedRootfs rootfs, SandboxSpec spec)
            throws ApplyException {
        try {
            return rootfs.resolve(spec);
        } catch (RootfsException e) {
            rootfs.release();
            throw new ApplyException(name, "rootfs", e.getMessage(), e);
        }
    }

    /**
     * The spec for the bundle: envFrom files read into the env (the manifest's env wins), at create
     * time only; records keep the spec with the file names, never the values. A file that is
     * missing or not root-only fails this sandbox alone. A changed file does not replace a running
     * sandbox (docs/gitops.md: roll it with a new file name, or sandlot down NAME).
     */
    static SandboxSpec withEnvFrom(String name, SandboxSpec spec, List<Path> secretDirs) throws ApplyException {
        if (spec.process().envFrom().isEmpty()) {
            return spec;
        }
        try {
            return spec.withProcess(spec.process().withEnv(
                    EnvFiles.merge(spec.process().envFrom(), spec.process().env(), secretDirs)));
        } catch (EnvFiles.EnvFileException e) {
            throw new ApplyException(name, "envFrom", e.getMessage(), null);
        }
    }

    private List<NetworkConfig> lookUpNetworks(String name, SandboxSpec spec) throws ApplyException {
        List<NetworkConfig> found = new ArrayList<>();
        for (String network : spec.networks()) {
            try {
                found.add(host.networks().find(network));
            } catch (CniException e) {
                throw new ApplyException(name, "CNI config", e.getMessage(), e);
            }
        }
        return found;
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
