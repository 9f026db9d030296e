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
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Observes the host in one pass: sandlot's records, one {@code runsc list} (never a runsc call per
 * sandbox; usually only its ids, see {@link KnownSandboxes}), one listing of the netns directory,
 * and /proc and /sys/class/net reads. Nothing here changes the host.
 */
public final class Observer {
    private static final Pattern LINK_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");
    private final StateStore state;
    private final Runsc runsc;
    private final Netns netns;
    private final ProcFs proc;
    private final Supplier<Predicate<String>> hostLinks;
    private final Clock clock;
    private final KnownSandboxes known;

    public Observer(StateStore state, Runsc runsc, Netns netns, ProcFs proc, Clock clock, KnownSandboxes known) {
        this(state, runsc, netns, proc, Observer::hostLinksNow, clock, known);
    }

    /** {@code hostLinks} gives, once per pass, which host interfaces exist. */
    Observer(StateStore state, Runsc runsc, Netns netns, ProcFs proc, Supplier<Predicate<String>> hostLinks,
            Clock clock, KnownSandboxes known) {
        this.state = state;
        this.runsc = runsc;
        this.netns = netns;
        this.proc = proc;
        this.hostLinks = hostLinks;
        this.clock = clock;
        this.known = known;
    }

    public Observation observe() throws HostException, IOException {
        List<StoredSandbox> stored = state.loadAll();
        Map<SandboxId, StoredSandbox> byId = new HashMap<>();
        for (StoredSandbox s : stored) {
            byId.put(s.id(), s);
        }
        Map<String, RunscContainer> containers = containers(byId);
        Set<String> namespaces = netns.list(SandboxId.PREFIX);

        Set<SandboxId> ids = new TreeSet<>(byId.keySet());
        // A container in sandlot's own runsc root is sandlot's even without a record (for example a
        // crash between `runsc run` and... nothing: records come first; this covers a lost state dir).
        for (String containerId : containers.keySet()) {
            SandboxId.parse(containerId).ifPresent(ids::add);
        }

        Map<String, List<Incarnation>> byName = new HashMap<>();
        Predicate<String> hostLinkExists = hostLinks.get();
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
                    s == null ? List.of() : missingHostInterfaces(s, hostLinkExists), exit == null ? null : exit.exitCode(),
                    runtime == RuntimeState.RUNNING && exit == null ? null : exitedAt);
            byName.computeIfAbsent(id.name(), k -> new ArrayList<>()).add(inc);
        }
        return new Observation(byName, now);
    }

    /** runsc's containers by id: from the ids alone when this process knows the rest, else in full. */
    private Map<String, RunscContainer> containers(Map<SandboxId, StoredSandbox> byId) throws HostException {
        if (known.listedInFull()) {
            Optional<Map<String, RunscContainer>> fromIds = fromIds(runsc.listIds(), byId);
            if (fromIds.isPresent()) {
                return fromIds.get();
            }
        }
        List<RunscContainer> all = runsc.list();
        known.sawFullList(all);
        Map<String, RunscContainer> containers = new HashMap<>();
        for (RunscContainer c : all) {
            containers.put(c.id(), c);
        }
        return containers;
    }

    /**
     * Each listed container as runsc's full list would show it, from sandlot's records, /proc and
     * {@link KnownSandboxes}; empty if one of sandlot's ids has no record (only runsc can say what
     * that one is).
     */
    private Optional<Map<String, RunscContainer>> fromIds(List<String> listed, Map<SandboxId, StoredSandbox> byId) {
        Map<String, RunscContainer> containers = new HashMap<>();
        Set<SandboxId> ids = new HashSet<>();
        for (String containerId : listed) {
            Optional<SandboxId> id = SandboxId.parse(containerId);
            if (id.isEmpty()) {
                continue; // not sandlot's: the full list's entry would be ignored as well
            }
            StoredSandbox s = byId.get(id.get());
            if (s == null) {
                return Optional.empty();
            }
            ids.add(id.get());
            Integer pid = s.pid();
            RunscContainer c;
            if (!known.isStarted(id.get())) {
                c = new RunscContainer(containerId, pid == null ? 0 : pid, "created", null);
            } else if (pid != null && known.alive(proc, id.get(), pid)) {
                c = new RunscContainer(containerId, pid, "running", null);
            } else {
                c = new RunscContainer(containerId, -1, "stopped", null);
            }
            containers.put(containerId, c);
        }
        known.retainProcesses(ids);
        return Optional.of(containers);
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

    /**
     * The host's interfaces as one listing of /sys/class/net per pass, not a lookup per sandbox
     * (a no-op pass over 100 sandboxes made 200 sysfs lookups). If the folder cannot be listed,
     * each name is looked up.
     */
    private static Predicate<String> hostLinksNow() {
        Path net = Path.of("/sys/class/net");
        try (Stream<Path> links = Files.list(net)) {
            Set<String> names = links.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
            return names::contains;
        } catch (IOException | UncheckedIOException e) {
            return name -> Files.exists(net.resolve(name));
        }
    }

    private static List<String> missingHostInterfaces(StoredSandbox s, Predicate<String> hostLinkExists) {
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
            if (sandbox.isEmpty() && LINK_NAME.matcher(name).matches()) {
                names.add(name);
            }
        }
        return names;
    }
}
