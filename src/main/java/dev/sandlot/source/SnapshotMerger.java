package dev.sandlot.source;

import dev.sandlot.manifest.Dependencies;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.ManifestError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the files read now, plus what was last known good, into one {@link DesiredState}.
 *
 * <ul>
 *   <li>A valid file contributes its sandboxes.</li>
 *   <li>A file with errors contributes the sandboxes of its last good parse, marked as held with
 *       the error, so they keep running until the file is fixed or deleted.</li>
 *   <li>A name declared by two files is an error on both; the sandbox keeps its last good spec
 *       (if it had one) rather than flapping between the two.</li>
 *   <li>A deleted file contributes nothing: its sandboxes go.</li>
 * </ul>
 */
public final class SnapshotMerger {
    private SnapshotMerger() {
    }

    /**
     * @param files      every manifest file read now
     * @param lastByFile the last good sandboxes of each file (from memory or from records)
     * @param lastByName the last good sandbox of each name, for conflicts
     */
    public static DesiredState merge(List<FileResult> files, Map<String, List<DesiredSandbox>> lastByFile,
            Map<String, DesiredSandbox> lastByName) {
        // dependsOn errors (a missing name, a cycle) make the declaring file invalid, which may
        // remove names others depend on: repeat until stable (at most once per file).
        List<FileResult> current = files;
        for (int round = 0; round <= files.size(); round++) {
            DesiredState state = mergeOnce(current, lastByFile, lastByName);
            List<Manifest> fresh = state.sandboxes().values().stream().filter(d -> d.heldError() == null)
                    .map(DesiredSandbox::manifest).toList();
            Set<String> held = new java.util.HashSet<>();
            state.sandboxes().values().stream().filter(d -> d.heldError() != null).forEach(d -> held.add(d.name()));
            List<ManifestError> problems = Dependencies.check(fresh, held);
            if (problems.isEmpty()) {
                return state;
            }
            Map<String, List<String>> byFile = new HashMap<>();
            problems.forEach(e -> byFile.computeIfAbsent(e.location().file(), k -> new ArrayList<>()).add(e.toString()));
            current = current.stream().map(f -> byFile.containsKey(f.file())
                    ? new FileResult(f.file(), List.of(), concat(f.errors(), byFile.get(f.file()))) : f).toList();
        }
        return mergeOnce(current, lastByFile, lastByName);
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static DesiredState mergeOnce(List<FileResult> files, Map<String, List<DesiredSandbox>> lastByFile,
            Map<String, DesiredSandbox> lastByName) {
        Map<String, List<String>> errors = new TreeMap<>();
        Map<String, List<DesiredSandbox>> declared = new LinkedHashMap<>();
        Map<String, DesiredSandbox> held = new HashMap<>();
        for (FileResult f : files) {
            if (f.valid()) {
                for (Manifest m : f.manifests()) {
                    declared.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(DesiredSandbox.of(m, f.file()));
                }
            } else {
                errors.computeIfAbsent(f.file(), k -> new ArrayList<>()).addAll(f.errors());
                String heldError = f.file() + " has errors; keeping its last good version (" + f.errors().size()
                        + " error" + (f.errors().size() == 1 ? "" : "s") + ", see sandlot validate)";
                for (DesiredSandbox last : lastByFile.getOrDefault(f.file(), List.of())) {
                    held.put(last.name(), new DesiredSandbox(last.manifest(), last.sourceFile(), heldError));
                }
            }
        }
        Map<String, DesiredSandbox> sandboxes = new TreeMap<>();
        for (Map.Entry<String, List<DesiredSandbox>> e : declared.entrySet()) {
            List<DesiredSandbox> candidates = e.getValue();
            DesiredSandbox heldHere = held.get(e.getKey());
            if (heldHere != null) {
                // A broken file still claims the names of its last good parse: a valid file that
                // declares one of them conflicts with it, and the last good version keeps running.
                for (DesiredSandbox c : candidates) {
                    errors.computeIfAbsent(c.sourceFile(), k -> new ArrayList<>()).add(c.manifest().location()
                            + ": metadata.name: sandbox " + e.getKey() + " is also declared in " + heldHere.sourceFile()
                            + " (which has errors; its last good version keeps running); names must be unique on the host");
                }
                continue;
            }
            if (candidates.size() == 1) {
                sandboxes.put(e.getKey(), candidates.get(0));
                continue;
            }
            List<String> where = candidates.stream().map(DesiredSandbox::sourceFile).distinct().toList();
            for (DesiredSandbox c : candidates) {
                List<String> others = where.stream().filter(w -> !w.equals(c.sourceFile())).toList();
                String message = c.manifest().location() + ": metadata.name: sandbox " + e.getKey()
                        + " is declared " + (others.isEmpty() ? "twice in this file" : "also in " + String.join(", ", others))
                        + "; names must be unique on the host";
                errors.computeIfAbsent(c.sourceFile(), k -> new ArrayList<>()).add(message);
            }
            DesiredSandbox last = lastByName.get(e.getKey());
            if (last != null) {
                sandboxes.put(e.getKey(), new DesiredSandbox(last.manifest(), last.sourceFile(),
                        "declared in " + String.join(" and ", where) + "; keeping its last good version"));
            }
        }
        held.forEach(sandboxes::putIfAbsent);
        return new DesiredState(sandboxes, errors);
    }
}
