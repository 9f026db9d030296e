package dev.sandlot.source;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The daemon's current desired state and its last known good, updated from complete snapshots.
 * Each update says which names changed, so only those get a pass; a source that cannot be read
 * keeps the current state (and says why) instead of emptying it.
 */
public final class DesiredStore {
    private DesiredState current;
    private LastKnownGood lastKnownGood;
    private String sourceProblem;

    /**
     * Until the first complete snapshot, the desired state is the last known good itself (for a
     * daemon: what its records say runs): a source that cannot be read at start (a repository
     * not reachable, a folder not mounted) then removes nothing, as kubelet waits for every source
     * before it deletes.
     */
    public DesiredStore(LastKnownGood initial) {
        this.lastKnownGood = initial;
        this.current = new DesiredState(initial.byName(), java.util.Map.of());
    }

    /** Takes a complete snapshot of the files; returns the names whose desired sandbox changed. */
    public synchronized Set<String> update(java.util.List<FileResult> files) {
        DesiredState next = SnapshotMerger.merge(files, lastKnownGood.byFile(), lastKnownGood.byName());
        Set<String> changed = new TreeSet<>();
        Set<String> names = new TreeSet<>(current.sandboxes().keySet());
        names.addAll(next.sandboxes().keySet());
        for (String name : names) {
            if (!Objects.equals(signature(current.get(name)), signature(next.get(name)))) {
                changed.add(name);
            }
        }
        current = next;
        lastKnownGood = LastKnownGood.from(next);
        sourceProblem = null;
        return changed;
    }

    /** The source could not be read: nothing changes, the problem shows in status. */
    public synchronized void unavailable(String problem) {
        sourceProblem = problem;
    }

    public synchronized DesiredState current() {
        return current;
    }

    /** Why the source could not be read at its last attempt, or null. */
    public synchronized String sourceProblem() {
        return sourceProblem;
    }

    private static String signature(DesiredSandbox d) {
        return d == null ? null : d.specHash() + "|" + d.sourceFile() + "|" + d.heldError();
    }
}
