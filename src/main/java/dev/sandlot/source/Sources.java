package dev.sandlot.source;

import dev.sandlot.config.Settings;
import dev.sandlot.source.git.GitManifestSource;
import dev.sandlot.state.StoredSandbox;
import java.util.List;

/**
 * The one place where a source is chosen and made: the git repository when the config has a
 * {@code git:} section, else the manifests folder; either way filtered by placement, so that
 * every command and the daemon see the same sandboxes for this host.
 */
public final class Sources {
    private Sources() {
    }

    /**
     * @param changesHost false for commands that must write nothing (plan, status): the folder's
     *                    mount guard only checks, and the git source reads the commit applied last
     *                    without fetching
     */
    public static ManifestSource open(Settings settings, boolean changesHost) {
        ManifestSource source;
        if (settings.git() != null) {
            source = new GitManifestSource(settings.git(), settings.stateDir().resolve("git"),
                    settings.mountAllowList(), !changesHost);
        } else {
            source = new FolderManifestSource(settings.manifestsDir(), settings.mountAllowList(),
                    changesHost ? new MountGuard(settings.stateDir()) : MountGuard.checkOnly(settings.stateDir()));
        }
        return placements(settings).filter(source);
    }

    public static Placements placements(Settings settings) {
        return new Placements(settings.hostName(), settings.hostLabels());
    }

    /** The source now, with last known good taken from sandlot's records (one-shot commands). */
    public static DesiredState readOnce(ManifestSource source, List<StoredSandbox> records)
            throws SourceUnavailableException {
        LastKnownGood last = LastKnownGood.fromRecords(records);
        return SnapshotMerger.merge(source.read(), last.byFile(), last.byName());
    }
}
