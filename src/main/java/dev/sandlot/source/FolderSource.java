package dev.sandlot.source;

import dev.sandlot.manifest.ManifestError;
import dev.sandlot.manifest.ManifestException;
import dev.sandlot.manifest.ManifestFile;
import dev.sandlot.manifest.ManifestFiles;
import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.manifest.ParseResult;
import dev.sandlot.state.StoredSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the manifests folder into {@link FileResult}s, and for one-shot commands straight into a
 * {@link DesiredState} whose last known good comes from sandlot's records.
 */
public final class FolderSource {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FolderSource.class);
    private FolderSource() {
    }

    /**
     * Every manifest file in {@code folder}, parsed; a folder that cannot be read, or that was a
     * mount point and is not mounted now, is an exception, never "empty".
     */
    public static List<FileResult> read(Path folder, List<Path> mountAllowList, MountGuard guard)
            throws SourceUnavailableException {
        return read(folder, mountAllowList, guard, new ParseMemo());
    }

    /** As {@link #read(Path, List, MountGuard)}, re-parsing only files whose bytes {@code memo} has not seen. */
    static List<FileResult> read(Path folder, List<Path> mountAllowList, MountGuard guard, ParseMemo memo)
            throws SourceUnavailableException {
        guard.check(folder);
        List<FileResult> results = read(folder, mountAllowList, memo);
        guard.remember(folder);
        return results;
    }

    /** Every manifest file in {@code dir}, parsed; a folder that cannot be read is an exception, never "empty". */
    public static List<FileResult> read(Path folder, List<Path> mountAllowList) throws SourceUnavailableException {
        return read(folder, mountAllowList, new ParseMemo());
    }

    static List<FileResult> read(Path folder, List<Path> mountAllowList, ParseMemo memo)
            throws SourceUnavailableException {
        // Absolute, so that a file is named the same in every pass and its records match it.
        Path dir = folder.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new SourceUnavailableException("manifests folder " + dir + (Files.exists(dir)
                    ? " is not a folder" : " does not exist") + "; nothing was changed");
        }
        FileTrust trust = FileTrust.forCurrentUser();
        String folderProblem = trust.folderProblem(dir);
        if (folderProblem != null) {
            LOG.error("ALERT: {}", folderProblem);
            throw new SourceUnavailableException(folderProblem + "; nothing was changed");
        }
        List<ManifestFile> files;
        try {
            files = ManifestFiles.read(dir);
        } catch (IOException e) {
            throw new SourceUnavailableException("manifests folder " + dir + " cannot be read ("
                    + e.getClass().getSimpleName() + "); nothing was changed");
        }
        List<FileResult> results = new ArrayList<>();
        for (ManifestFile f : files) {
            String problem = trust.fileProblem(f.path());
            if (problem != null) {
                LOG.error("ALERT: {}: {}", f.path(), problem);
                results.add(new FileResult(f.path().toString(), List.of(),
                        List.of(ManifestError.ofFile(f.path().toString(), problem).toString())));
            } else if (f instanceof ManifestFile.Loaded loaded) {
                results.add(memo.parse(loaded, file -> parse(file, mountAllowList)));
            } else {
                results.add(parse(f, mountAllowList));
            }
        }
        memo.retainOnly(files.stream().map(f -> f.path().toString()).collect(Collectors.toSet()));
        return results;
    }

    static FileResult parse(ManifestFile file, List<Path> mountAllowList) {
        String name = file.path().toString();
        if (file instanceof ManifestFile.Unreadable u) {
            return new FileResult(name, List.of(), List.of(ManifestError.ofFile(name, u.reason()).toString()));
        }
        ManifestFile.Loaded loaded = (ManifestFile.Loaded) file;
        try {
            ParseResult r = ManifestParser.parse(name, loaded.content(), mountAllowList);
            return new FileResult(name, r.valid() ? r.manifests() : List.of(),
                    r.errors().stream().map(ManifestError::toString).toList());
        } catch (ManifestException e) {
            return new FileResult(name, List.of(), List.of(ManifestError.ofFile(name, e.getMessage()).toString()));
        }
    }

    /** The folder now, with last known good taken from sandlot's records (one-shot commands). */
    public static DesiredState readOnce(Path dir, List<Path> mountAllowList, List<StoredSandbox> records,
            MountGuard guard) throws SourceUnavailableException {
        LastKnownGood last = LastKnownGood.fromRecords(records);
        return SnapshotMerger.merge(read(dir, mountAllowList, guard), last.byFile(), last.byName());
    }
}
