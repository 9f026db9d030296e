package dev.sandlot.observe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.host.HostException;
import dev.sandlot.host.Netns;
import dev.sandlot.host.ProcFs;
import dev.sandlot.host.Runsc;
import dev.sandlot.host.RunscContainer;
import dev.sandlot.state.ExitRecord;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.StateStore;
import dev.sandlot.state.StoredAttachment;
import dev.sandlot.state.StoredSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Observes the host in one pass: sandlot's records, one {@code runsc list} (never a runsc call per
 * sandbox), one listing of the netns directory, and /proc and /sys/class/net reads. Nothing here
 * changes the host.
 */
public final class Observer {
    private final StateStore state;
    private final Runsc runsc;
    private final Netns netns;
    private final ProcFs proc;
    private final Predicate<String> hostLinkExists;
    private final Clock clock;

    public Observer(StateStore state, Runsc runsc, Netns netns, ProcFs proc, Clock clock) {
        this(state, runsc, netns, proc, name -> Files.exists(Path.of("/sys/class/net", name)), clock);
    }

    Observer(StateStore state, Runsc runsc, Netns netns, ProcFs proc, Predicate<String> hostLinkExists,
            Clock clock) {
        this.state = state;
        this.runsc = runsc;
        this.netns = netns;
        this.proc = proc;
        this.hostLinkExists = hostLinkExists;
        this.clock = clock;
    }

    public Observation observe() throws HostException, IOException {
        List<StoredSandbox> stored = state.loadAll();
        Map<String, RunscContainer> containers = new HashMap<>();
        for (RunscContainer c : runsc.list()) {
            containers.put(c.id(), c);
        }
        Set<String> namespaces = netns.list(SandboxId.PREFIX);

        Set<SandboxId> ids = new TreeSet<>();
        Map<SandboxId, StoredSandbox> byId = new HashMap<>();
        for (StoredSandbox s : stored) {
            ids.add(s.id());
            byId.put(s.id(), s);
        }
        // A container in sandlot's own runsc root is sandlot's even without a record (for example a
        // crash between `runsc run` and... nothing: records come first; this covers a lost state dir).
        for (String containerId : containers.keySet()) {
            SandboxId.parse(containerId).ifPresent(ids::add);
        }

        Map<String, List<Incarnation>> byName = new HashMap<>();
        Instant now = clock.instant();
        for (SandboxId id : ids) {
            StoredSandbox s = byId.get(id);
            RunscContainer c = containers.get(id.value());
            RuntimeState runtime = runtimeOf(c);
            ExitRecord exit = s == null ? null : s.exit();
            // Only a process that started can have ended: an incarnation runsc never ran (a create
            // under way, or one that died half-way) has no pid file and is not an exit.
            boolean started = s == null || s.pid() != null || c != null;
            Instant exitedAt = exit != null ? exit.at() : runtime == RuntimeState.RUNNING || !started ? null : now;
            Incarnation inc = new Incarnation(id, s, c, runtime, namespaces.contains(id.value()),
                    s == null ? List.of() : missingHostInterfaces(s), exit == null ? null : exit.exitCode(),
                    runtime == RuntimeState.RUNNING && exit == null ? null : exitedAt);
            byName.computeIfAbsent(id.name(), k -> new ArrayList<>()).add(inc);
        }
        return new Observation(byName, now);
    }

    private RuntimeState runtimeOf(RunscContainer c) {
        if (c == null) {
            return RuntimeState.ABSENT;
        }
        // runsc reports a killed sandbox as running until its zombie is reaped (it checks
        // kill(pid, 0)), so /proc decides.
        if ("running".equals(c.status()) && c.pid() > 0 && proc.isRunning(c.pid())) {
            return RuntimeState.RUNNING;
        }
        return RuntimeState.EXITED;
    }

    private List<String> missingHostInterfaces(StoredSandbox s) {
        List<String> missing = new ArrayList<>();
        for (StoredAttachment a : s.attachments()) {
            if (!a.added()) {
                continue;
            }
            for (String name : hostInterfaces(a.record().result())) {
                if (!hostLinkExists.test(name)) {
                    missing.add(name);
                }
            }
        }
        return missing;
    }

    /** Interfaces a CNI result lists outside any sandbox: the host ends of veths, bridges. */
    static List<String> hostInterfaces(JsonNode result) {
        List<String> names = new ArrayList<>();
        JsonNode interfaces = result == null ? null : result.get("interfaces");
        if (interfaces == null || !interfaces.isArray()) {
            return names;
        }
        for (JsonNode i : interfaces) {
            String sandbox = Optional.ofNullable(i.get("sandbox")).map(JsonNode::asText).orElse("");
            String name = Optional.ofNullable(i.get("name")).map(JsonNode::asText).orElse("");
            if (sandbox.isEmpty() && name.matches("[A-Za-z0-9_.@-]{1,15}")) {
                names.add(name);
            }
        }
        return names;
    }
}
