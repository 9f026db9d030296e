package dev.sandlot.apply;

import dev.sandlot.host.CniException;
import dev.sandlot.host.HostException;
import dev.sandlot.host.NetworkConfig;
import dev.sandlot.host.RunscContainer;
import dev.sandlot.manifest.SandboxSpec;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.StoredAttachment;
import dev.sandlot.state.StoredSandbox;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tears one incarnation down in the reverse order of creation: stop the process (TERM, grace
 * period, KILL) → {@code runsc delete} → CNI DEL of each attachment in reverse with its recorded
 * config and result → netns delete → records. Every step tolerates "already gone", so a teardown
 * interrupted anywhere is finished by the next one.
 *
 * <p>DEL runs while the netns still exists, so plugins can undo what they set up inside it (the
 * bridge plugin removes its ipMasq NAT chain only for addresses it finds there). A DEL that fails
 * with the netns present is retried after the netns is gone; when the netns was already gone,
 * the NAT chains whose comment names this id are removed directly (DESIGN.md §6).
 */
final class SandboxTeardown {
    private static final Logger LOG = LoggerFactory.getLogger(SandboxTeardown.class);
    static final Duration KILL_WAIT = Duration.ofSeconds(10);

    private final HostClients host;
    private final Duration gracePeriod;

    SandboxTeardown(HostClients host, Duration gracePeriod) {
        this.host = host;
        this.gracePeriod = gracePeriod;
    }

    /**
     * Tears down {@code id}.
     *
     * @param container what the last observation saw in runsc, or null; with {@code probeRunsc}
     *                  a delete is attempted even without one (after a failed create)
     */
    void teardown(SandboxId id, RunscContainer container, boolean probeRunsc) throws ApplyException {
        teardown(id, container, probeRunsc, false);
    }

    /**
     * @param interfacesLost the last observation found host interfaces of this id deleted from
     *                       outside: the veth's sandbox end went with it, so the bridge's DEL finds
     *                       no address and leaves its NAT chain, which is then removed by id
     */
    void teardown(SandboxId id, RunscContainer container, boolean probeRunsc, boolean interfacesLost)
            throws ApplyException {
        String name = id.name();
        String step = "runsc";
        try {
            if (container != null) {
                StoredSandbox before = host.state().load(id);
                SandboxSpec spec = before.record() == null ? null : before.record().spec();
                stop(id, container.pid(), spec == null ? SandboxSpec.DEFAULT_STOP_SIGNAL : spec.effectiveStopSignal(),
                        spec == null ? gracePeriod : spec.gracePeriod());
            }
            Crashpoint.reached("teardown:after-stop");
            if (container != null || probeRunsc) {
                step = "runsc delete";
                host.runsc().delete(id.value());
                host.known().forget(id);
                // A failed `runsc run` leaves its cgroups behind (runsc never saved the container).
                try {
                    host.cgroups().remove(id.cgroupsPath());
                } catch (HostException e) {
                    LOG.warn("{}: {}", id, e.getMessage());
                }
            }
            Crashpoint.reached("teardown:after-runsc-delete");
            step = "CNI DEL";
            StoredSandbox stored = host.state().load(id);
            boolean netnsExisted = host.netns().exists(id.value());
            Path netnsPath = host.netns().path(id.value());
            List<StoredAttachment> failed = new ArrayList<>();
            List<StoredAttachment> reversed = new ArrayList<>(stored.attachments());
            java.util.Collections.reverse(reversed);
            for (StoredAttachment a : reversed) {
                if (!del(id, a, netnsPath)) {
                    failed.add(a);
                }
            }
            // Only a DEL that found the netns removed its NAT chain: one deleted from outside while
            // the DELs ran counts as gone.
            netnsExisted = netnsExisted && host.netns().exists(id.value());
            Crashpoint.reached("teardown:after-cni-del");
            step = "netns delete";
            host.netns().delete(id.value());
            Crashpoint.reached("teardown:after-netns-delete");
            step = "CNI DEL after netns delete";
            for (StoredAttachment a : failed) {
                if (!del(id, a, netnsPath)) {
                    // The process and the netns are gone: nothing of this id can disturb a new
                    // incarnation any more, so the failure does not block one; the record stays
                    // and every pass retries its DEL.
                    throw new ApplyException(name, step, "CNI DEL of " + a.network() + "/" + a.ifname()
                            + " keeps failing; its record stays in " + host.state().sandboxDir(id)
                            + " and the next pass retries", null, false);
                }
            }
            if ((!netnsExisted || interfacesLost || !failed.isEmpty()) && !stored.attachments().isEmpty()) {
                step = "iptables cleanup";
                int removed = host.iptables().removeChainsFor(id.value());
                if (removed > 0) {
                    LOG.info("removed {} leftover NAT rules of {}", removed, id);
                }
            }
            step = "records";
            host.state().deleteSandbox(id);
            LOG.info("removed {} ({})", name, id);
        } catch (HostException | IOException e) {
            throw new ApplyException(name, step, SandboxCreator.describe(e), e);
        }
    }

    void teardown(SandboxId id, boolean probeRunsc) throws ApplyException {
        teardown(id, null, probeRunsc);
    }

    /** The manifest's stop signal, its grace period, then KILL (kubelet's terminationGracePeriod). */
    private void stop(SandboxId id, int pid, String signal, Duration grace) throws HostException {
        if (pid <= 0 || !host.proc().isRunning(pid)) {
            return;
        }
        if (!"KILL".equals(signal)) {
            host.runsc().kill(id.value(), signal);
            if (host.runsc().waitStopped(pid, grace)) {
                return;
            }
            LOG.info("{} did not stop within {} ms of SIG{}; sending SIGKILL", id, grace.toMillis(), signal);
        }
        host.runsc().kill(id.value(), "KILL");
        if (!host.runsc().waitStopped(pid, KILL_WAIT)) {
            throw new HostException("sandbox " + id + " (pid " + pid + ") survived SIGKILL for "
                    + KILL_WAIT.toSeconds() + " s; its IP is kept until it is gone");
        }
    }

    /** DEL of one attachment; true when done (record dropped). */
    private boolean del(SandboxId id, StoredAttachment a, Path netnsPath) throws IOException {
        NetworkConfig config;
        try {
            config = configFor(a);
        } catch (CniException e) {
            LOG.warn("{}: cannot DEL {}/{}: no recorded or current config ({}); dropping the record",
                    id, a.network(), a.ifname(), e.getMessage());
            host.state().deleteAttachment(id, a);
            return true;
        }
        try {
            host.cni().del(config, id.value(), netnsPath, a.ifname(), a.added() ? a.record().result() : null,
                    a.record() == null ? Map.of() : a.record().runtimeConfigOrEmpty());
            host.state().deleteAttachment(id, a);
            return true;
        } catch (HostException e) {
            LOG.warn("{}: CNI DEL {}/{} failed: {}", id, a.network(), a.ifname(), e.getMessage());
            return false;
        }
    }

    /** The config recorded at ADD time (CNI spec); for a corrupt record, the current one by name. */
    private NetworkConfig configFor(StoredAttachment a) throws CniException {
        if (a.record() != null) {
            return NetworkConfig.parse(a.record().configBytes(), "record " + a.fileName());
        }
        if (a.index() == 0) {
            return NetworkConfig.loopback();
        }
        return host.networks().find(a.network());
    }
}
