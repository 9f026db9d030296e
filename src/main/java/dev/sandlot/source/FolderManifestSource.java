package dev.sandlot.source;

import java.nio.file.Path;
import java.util.List;

/** The manifests folder as a source, guarded against being read while unmounted. */
public final class FolderManifestSource implements ManifestSource {
    private final Path folder;
    private final List<Path> mountAllowList;
    private final MountGuard guard;
    private final ParseMemo parsed = new ParseMemo();

    public FolderManifestSource(Path folder, List<Path> mountAllowList, MountGuard guard) {
        this.folder = folder;
        this.mountAllowList = mountAllowList;
        this.guard = guard;
    }

    @Override
    public List<FileResult> read() throws SourceUnavailableException {
        return FolderSource.read(folder, mountAllowList, guard, parsed);
    }

    @Override
    public String describe() {
        return "folder " + folder;
    }

    @Override
    public SourceStatus status() {
        return new SourceStatus("folder", folder.toString(), null, null, null);
    }

    public Path folder() {
        return folder;
    }
}
