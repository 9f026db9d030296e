package dev.sandlot.source.git;

import dev.sandlot.config.GitSettings;
import dev.sandlot.manifest.ManifestError;
import dev.sandlot.manifest.ManifestException;
import dev.sandlot.manifest.ManifestFile;
import dev.sandlot.manifest.ManifestFiles;
import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.manifest.ParseResult;
import dev.sandlot.source.FileResult;
import dev.sandlot.source.FileTrust;
import dev.sandlot.source.ManifestSource;
import dev.sandlot.source.SourceStatus;
import dev.sandlot.source.SourceUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests from a git repository (the {@code git:} section of the config).
 *
 * <p>A read fetches when one is due ({@link #refreshNow()}: the poll timer, SIGHUP,
 * {@code sandlot sync}; and the first read), checks the new commit out whole into a folder of its
 * own and switches to it atomically; then it reads the applied commit's {@code git.path} with the
 * same parser, file rules and names as the manifests folder, so last known good, conflicts and
 * errors behave as there. Files are named {@code <state-dir>/git/current/<path>/<file>} whatever
 * the commit, so a file keeps its identity (and its last known good) across commits.
 *
 * <p>What never changes the desired state, but shows as the source's problem: a failed fetch, a
 * ref that does not exist, a commit with a symlink or an escaping entry in it, and a commit
 * without manifests at {@code git.path} (unless {@code git.allowEmpty}). The last applied commit
 * stays applied; it is on disk, so a restarted daemon keeps it too.
 */
public final class GitManifestSource implements ManifestSource {
    private static final Logger LOG = LoggerFactory.getLogger(GitManifestSource.class);

    private final GitSettings git;
    private final List<Path> mountAllowList;
    private final boolean readOnly;
    private final Fetcher fetcher;
    private final Checkouts checkouts;
    private final Clock clock;
    private boolean fetchDue = true;
    private String problem;
    private String refusedCommit;
    private String refusedWhy;

    /**
     * @param dir      sandlot's folder for this source, {@code <state-dir>/git}
     * @param readOnly true for commands that must write nothing: no fetch, the applied commit only
     */
    public GitManifestSource(GitSettings git, Path dir, List<Path> mountAllowList, boolean readOnly) {
        this(git, dir, mountAllowList, readOnly, new Fetcher(git, dir.resolve("repo.git")), Clock.systemUTC());
    }

    GitManifestSource(GitSettings git, Path dir, List<Path> mountAllowList, boolean readOnly, Fetcher fetcher,
            Clock clock) {
        this.git = git;
        this.mountAllowList = List.copyOf(mountAllowList);
        this.readOnly = readOnly;
        this.fetcher = fetcher;
        this.checkouts = new Checkouts(dir.toAbsolutePath().normalize());
        this.clock = clock;
    }

    @Override
    public synchronized List<FileResult> read() throws SourceUnavailableException {
        if (fetchDue && !readOnly) {
            fetchDue = false;
            update();
        }
        Checkouts.Pointer applied = checkouts.current();
        if (applied == null) {
            throw new SourceUnavailableException("git " + location() + ": no commit applied yet"
                    + (problem == null ? (readOnly ? " (the daemon or sandlot apply fetches)" : "") : ": " + problem)
                    + "; nothing was changed");
        }
        List<FileResult> results;
        try {
            results = readCommit(applied.commit());
        } catch (GitException e) {
            throw new SourceUnavailableException(e.getMessage() + "; nothing was changed");
        }
        if (results.isEmpty() && !git.allowEmpty()) {
            throw new SourceUnavailableException(noManifests(applied.commit()) + "; nothing was changed");
        }
        return results;
    }

    /** Fetches, and applies the commit the ref names if it is new and acceptable. */
    private void update() {
        Checkouts.Pointer before = checkouts.current();
        String keeping = before == null ? "nothing applied yet"
                : "keeping commit " + shortId(before.commit()) + " applied " + before.appliedAt();
        String commit = null;
        try (Repository repo = fetcher.open()) {
            ObjectId id = fetcher.fetch(repo);
            commit = id.name();
            if (before != null && before.commit().equals(commit)) {
                setProblem(null);
                return;
            }
            if (commit.equals(refusedCommit)) {
                setProblem(refusedWhy);
                return;
            }
            checkouts.materialize(repo, id, git.path());
            List<FileResult> results = readCommit(commit);
            if (results.isEmpty() && !git.allowEmpty()) {
                refuse(commit, noManifests(commit) + "; not applied (set git.allowEmpty: true to remove every"
                        + " sandbox this way); " + keeping);
                return;
            }
            checkouts.switchTo(commit, clock.instant());
            LOG.info("git: applied commit {} of {}{}", shortId(commit), location(),
                    before == null ? "" : " (was " + shortId(before.commit()) + ")");
            Set<String> keep = new HashSet<>(Set.of(commit));
            if (before != null) {
                keep.add(before.commit());
            }
            checkouts.prune(keep);
            setProblem(null);
        } catch (GitException e) {
            if (commit != null) {
                refuse(commit, e.getMessage() + "; " + keeping);
            } else {
                setProblem(e.getMessage() + "; " + keeping);
            }
        } catch (IOException | RuntimeException e) {
            setProblem("git " + location() + ": " + (commit == null ? "" : "commit " + shortId(commit) + ": ")
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()) + "; " + keeping);
        }
    }

    private void refuse(String commit, String why) {
        refusedCommit = commit;
        refusedWhy = why;
        Checkouts.deleteTree(checkouts.checkout(commit));
        setProblem(why);
    }

    private void setProblem(String next) {
        if (next != null && !next.equals(problem)) {
            LOG.warn("{}", next);
        } else if (next == null && problem != null) {
            LOG.info("git {}: fetched again", location());
        }
        problem = next;
    }

    /** The manifest files of {@code git.path} at this (checked out) commit. */
    private List<FileResult> readCommit(String commit) throws GitException {
        Path root = checkouts.checkout(commit);
        Path folder = git.path().isEmpty() ? root : root.resolve(git.path());
        if (!Files.exists(folder)) {
            return List.of(); // git keeps no empty folders: a path whose files were all deleted is gone
        }
        if (!Files.isDirectory(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new GitException("git.path " + git.path() + " is not a folder at commit " + shortId(commit));
        }
        String distrust = FileTrust.forCurrentUser().folderProblem(folder);
        if (distrust != null) {
            throw new GitException(distrust);
        }
        Path names = git.path().isEmpty() ? checkouts.currentLink() : checkouts.currentLink().resolve(git.path());
        List<ManifestFile> files;
        try {
            files = ManifestFiles.read(folder);
        } catch (IOException e) {
            throw new GitException("checkout " + folder + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        List<FileResult> results = new ArrayList<>();
        for (ManifestFile f : files) {
            String name = names.resolve(f.path().getFileName().toString()).toString();
            results.add(parse(name, f));
        }
        return results;
    }

    private FileResult parse(String name, ManifestFile file) {
        if (file instanceof ManifestFile.Unreadable u) {
            return new FileResult(name, List.of(), List.of(ManifestError.ofFile(name, u.reason()).toString()));
        }
        try {
            ParseResult r = ManifestParser.parse(name, ((ManifestFile.Loaded) file).content(), mountAllowList);
            return new FileResult(name, r.valid() ? r.manifests() : List.of(),
                    r.errors().stream().map(ManifestError::toString).toList());
        } catch (ManifestException e) {
            return new FileResult(name, List.of(), List.of(ManifestError.ofFile(name, e.getMessage()).toString()));
        }
    }

    private String noManifests(String commit) {
        return "git " + location() + ": commit " + shortId(commit) + " has no manifests in "
                + (git.path().isEmpty() ? "the repository's root" : git.path());
    }

    @Override
    public String describe() {
        Checkouts.Pointer p = checkouts.current();
        return "git " + location() + (p == null ? "" : " at " + shortId(p.commit()));
    }

    @Override
    public synchronized void refreshNow() {
        fetchDue = true;
    }

    @Override
    public Duration pollInterval() {
        return readOnly ? null : git.interval();
    }

    @Override
    public synchronized SourceStatus status() {
        Checkouts.Pointer p = checkouts.current();
        return new SourceStatus("git", location(), p == null ? null : p.commit(), p == null ? null : p.appliedAt(),
                problem);
    }

    /** The URL without credentials, with the ref and path when set. */
    private String location() {
        return Fetcher.redacted(git.url()) + (git.ref() == null ? "" : " " + git.ref())
                + (git.path().isEmpty() ? "" : " " + git.path() + "/");
    }

    private static String shortId(String commit) {
        return commit.length() > 12 ? commit.substring(0, 12) : commit;
    }
}
