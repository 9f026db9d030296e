package dev.sandlot.source;

import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.Placement;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps the sandboxes placed on this host: {@code spec.placement} is matched against the host's
 * name and config labels, and a sandbox placed elsewhere is simply not desired here (so it is
 * removed if it ran here). Applied to every source by {@link Sources}, before the merge: a name
 * placed on another host neither runs here nor conflicts with a name placed here.
 */
public final class Placements {
    private final String hostName;
    private final Map<String, String> hostLabels;

    public Placements(String hostName, Map<String, String> hostLabels) {
        this.hostName = Objects.requireNonNull(hostName, "hostName");
        this.hostLabels = Map.copyOf(hostLabels);
    }

    /** Whether this host runs the sandbox (a manifest without placement runs everywhere). */
    public boolean placedHere(Manifest m) {
        Placement p = m.spec().placement();
        return p == null || p.matches(hostName, hostLabels);
    }

    /** The files with every sandbox placed elsewhere left out; errors are kept as they are. */
    public List<FileResult> filter(List<FileResult> files) {
        return files.stream().map(f -> f.manifests().stream().allMatch(this::placedHere) ? f
                : new FileResult(f.file(), f.manifests().stream().filter(this::placedHere).toList(), f.errors()))
                .toList();
    }

    /** A source whose snapshots hold only the sandboxes placed on this host. */
    public ManifestSource filter(ManifestSource source) {
        return new ManifestSource() {
            @Override
            public List<FileResult> read() throws SourceUnavailableException {
                return filter(source.read());
            }

            @Override
            public String describe() {
                return source.describe();
            }

            @Override
            public void refreshNow() {
                source.refreshNow();
            }

            @Override
            public java.time.Duration pollInterval() {
                return source.pollInterval();
            }

            @Override
            public SourceStatus status() {
                return source.status();
            }
        };
    }

    public String hostName() {
        return hostName;
    }

    public Map<String, String> hostLabels() {
        return hostLabels;
    }
}
