package dev.sandlot.apply;

import dev.sandlot.config.Settings;
import dev.sandlot.host.Cgroups;
import dev.sandlot.host.Cni;
import dev.sandlot.host.CniNetworks;
import dev.sandlot.host.Iptables;
import dev.sandlot.host.Netns;
import dev.sandlot.host.ProcFs;
import dev.sandlot.host.ProcessRunner;
import dev.sandlot.host.Runsc;
import dev.sandlot.observe.KnownSandboxes;
import dev.sandlot.observe.Observer;
import dev.sandlot.rootfs.RootfsStore;
import dev.sandlot.state.StateStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Every thin host client, wired from the settings over one {@link ProcessRunner}, and what this
 * process learned about its sandboxes between observations ({@code known}).
 */
public record HostClients(
        Settings settings,
        StateStore state,
        Runsc runsc,
        Netns netns,
        Cni cni,
        CniNetworks networks,
        Iptables iptables,
        ProcFs proc,
        Cgroups cgroups,
        Clock clock,
        KnownSandboxes known) {

    public static HostClients create(Settings settings, ProcessRunner runner, Clock clock) {
        return new HostClients(
                settings,
                new StateStore(settings.stateDir()),
                new Runsc(runner, settings.runsc(), settings.runscRoot(), settings.runscFlags()),
                new Netns(runner, settings.netnsDir()),
                new Cni(runner, settings.cniBinDirs(), Duration.ofSeconds(30)),
                new CniNetworks(settings.cniConfDir()),
                new Iptables(runner),
                new ProcFs(Path.of("/proc")),
                new Cgroups(),
                clock,
                new KnownSandboxes());
    }

    /** Root filesystems unpacked from archives and images, shared per state dir. */
    public RootfsStore rootfs() {
        return RootfsStore.at(state.stateDir());
    }

    public Observer observer() {
        return new Observer(state, runsc, netns, proc, clock, known);
    }
}
