package dev.sandlot.source;

import dev.sandlot.manifest.Location;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StoredSandbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The last good sandboxes per file and per name. A daemon keeps them in memory; a one-shot
 * command (and a daemon just started) recovers them from sandlot's records, which hold the exact
 * spec each running sandbox was made from.
 */
public record LastKnownGood(Map<String, List<DesiredSandbox>> byFile, Map<String, DesiredSandbox> byName) {

    public static LastKnownGood fromRecords(List<StoredSandbox> stored) {
        Map<String, List<DesiredSandbox>> byFile = new HashMap<>();
        Map<String, DesiredSandbox> byName = new HashMap<>();
        // The newest record of a name is its last known good (an older incarnation may linger
        // while its teardown is retried).
        List<StoredSandbox> newestFirst = new ArrayList<>(stored);
        newestFirst.sort(java.util.Comparator.comparing((StoredSandbox s) -> s.record() == null || s.record().createdAt() == null
                ? java.time.Instant.MIN : s.record().createdAt()).reversed());
        for (StoredSandbox s : newestFirst) {
            SandboxRecord r = s.record();
            if (r == null || r.spec() == null || r.sourceFile() == null || byName.containsKey(r.name())) {
                continue;
            }
            Manifest m = new Manifest(r.name(), Map.of(), r.spec(), new Location(r.sourceFile(), 1, 1));
            DesiredSandbox d = DesiredSandbox.of(m, r.sourceFile());
            byName.put(r.name(), d);
            byFile.computeIfAbsent(r.sourceFile(), k -> new ArrayList<>()).add(d);
        }
        return new LastKnownGood(byFile, byName);
    }

    /** What a merged snapshot leaves as last known good: valid files replace their entries. */
    public static LastKnownGood from(DesiredState state) {
        Map<String, List<DesiredSandbox>> byFile = new HashMap<>();
        Map<String, DesiredSandbox> byName = new HashMap<>(state.sandboxes());
        for (DesiredSandbox d : state.sandboxes().values()) {
            byFile.computeIfAbsent(d.sourceFile(), k -> new ArrayList<>()).add(d);
        }
        return new LastKnownGood(byFile, byName);
    }
}
