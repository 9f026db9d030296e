package dev.sandlot.source.git;

import dev.sandlot.config.GitSettings;
import dev.sandlot.source.SecretFiles;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.lib.SubmoduleConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Fetches the configured repository into a bare repository of sandlot's own and resolves the
 * configured ref to a commit. Only objects and refs move: nothing is checked out here, and JGit
 * runs no hook on fetch. Fetched objects are checked (fsck), so trees with entries such as
 * {@code ..} or {@code .git} are refused before anything is written out.
 */
final class Fetcher {
    private static final String NS = "refs/sandlot/";
    private static final int CREDENTIALS_MAX_BYTES = 64 * 1024;
    private static final int TIMEOUT_SECONDS = 60;

    private final GitSettings git;
    private final Path repoDir;
    private final String ssh;

    Fetcher(GitSettings git, Path repoDir) {
        this(git, repoDir, "ssh");
    }

    Fetcher(GitSettings git, Path repoDir, String ssh) {
        this.git = git;
        this.repoDir = repoDir;
        this.ssh = ssh;
        IsolatedSystemReader.install();
    }

    /** The bare repository; created empty if missing. The caller closes it. */
    Repository open() throws IOException {
        Repository repo = new FileRepositoryBuilder().setGitDir(repoDir.toFile()).setBare().build();
        if (!Files.isDirectory(repoDir.resolve("objects"))) {
            Files.createDirectories(repoDir.getParent());
            repo.create(true);
            StoredConfig config = repo.getConfig();
            // Nothing in this repository is ever run or checked out by git: say so for anyone
            // who looks at it with git by hand.
            config.setString("core", null, "hooksPath", "/dev/null");
            config.setBoolean("transfer", null, "fsckObjects", true);
            config.save();
        }
        return repo;
    }

    /** Fetches and returns the commit the configured ref names now. */
    ObjectId fetch(Repository repo) throws GitException {
        try {
            FetchCommand fetch = Git.wrap(repo).fetch()
                    .setRemote(git.url())
                    .setRefSpecs(refSpecs())
                    .setTagOpt(TagOpt.NO_TAGS)
                    .setRemoveDeletedRefs(true)
                    .setCheckFetchedObjects(true)
                    .setRecurseSubmodules(SubmoduleConfig.FetchRecurseSubmodulesMode.NO)
                    .setTimeout(TIMEOUT_SECONDS);
            configureTransport(fetch);
            fetch.call();
        } catch (GitAPIException | RuntimeException e) {
            throw new GitException("cannot fetch " + redacted(git.url()) + ": " + clean(e), e);
        }
        return resolve(repo);
    }

    /** Every branch and tag; HEAD too when no ref is configured (a remote's HEAD may dangle). */
    private String[] refSpecs() {
        String heads = "+refs/heads/*:" + NS + "heads/*";
        String tags = "+refs/tags/*:" + NS + "tags/*";
        return git.ref() == null ? new String[] {"+HEAD:" + NS + "HEAD", heads, tags} : new String[] {heads, tags};
    }

    /** The commit of the configured ref in the fetched refs. */
    ObjectId resolve(Repository repo) throws GitException {
        String ref = git.ref();
        try {
            List<String> candidates = ref == null ? List.of(NS + "HEAD")
                    : ref.startsWith("refs/heads/") ? List.of(NS + "heads/" + ref.substring(11))
                    : ref.startsWith("refs/tags/") ? List.of(NS + "tags/" + ref.substring(10))
                    : List.of(NS + "heads/" + ref, NS + "tags/" + ref);
            for (String name : candidates) {
                Ref found = repo.exactRef(name);
                if (found != null && found.getObjectId() != null) {
                    return commitOf(repo, found.getObjectId(), name);
                }
            }
            if (ref != null && ref.matches("[0-9a-f]{7,40}")) {
                ObjectId id = repo.resolve(ref + "^{commit}");
                if (id != null) {
                    return id;
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new GitException("cannot resolve " + describeRef() + " in " + redacted(git.url()) + ": " + clean(e), e);
        }
        throw new GitException(redacted(git.url()) + " has no " + describeRef()
                + (ref != null && ref.matches("[0-9a-f]{7,40}") ? " (a commit must be reachable from a branch or tag)" : ""));
    }

    private static ObjectId commitOf(Repository repo, ObjectId id, String name) throws IOException, GitException {
        try (RevWalk walk = new RevWalk(repo)) {
            RevCommit commit = walk.parseCommit(id); // peels annotated tags
            return commit.getId();
        } catch (org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            throw new GitException(name.substring(NS.length()) + " does not name a commit");
        }
    }

    private String describeRef() {
        return git.ref() == null ? "HEAD (default branch)" : "branch, tag or commit '" + git.ref() + "'";
    }

    private void configureTransport(FetchCommand fetch) throws GitException {
        Path credentials = git.credentialsFile();
        boolean sshUrl = isSsh(git.url());
        if (credentials != null && !sshUrl) {
            String text;
            try {
                text = new String(SecretFiles.read(credentials, CREDENTIALS_MAX_BYTES), StandardCharsets.UTF_8).strip();
            } catch (SecretFiles.UnsafeFileException e) {
                throw new GitException("git.credentialsFile " + e.getMessage());
            }
            int colon = text.indexOf(':');
            if (colon <= 0 || text.contains("\n")) {
                throw new GitException("git.credentialsFile " + credentials
                        + ": for https write one line USER:TOKEN (for ssh, a private key and an ssh URL)");
            }
            fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider(text.substring(0, colon),
                    text.substring(colon + 1)));
        }
        if (sshUrl) {
            if (credentials != null) {
                try {
                    SecretFiles.read(credentials, CREDENTIALS_MAX_BYTES); // the same checks as ssh's own, said clearly
                } catch (SecretFiles.UnsafeFileException e) {
                    throw new GitException("git.credentialsFile " + e.getMessage());
                }
            }
            ExternalSsh factory = new ExternalSsh(ssh, credentials, git.knownHostsFile());
            fetch.setTransportConfigCallback(t -> {
                if (t instanceof SshTransport s) {
                    s.setSshSessionFactory(factory);
                }
            });
        }
    }

    static boolean isSsh(String url) {
        try {
            URIish uri = new URIish(url);
            String scheme = uri.getScheme();
            if (scheme == null) {
                return uri.getHost() != null; // scp-like user@host:path
            }
            return scheme.equals("ssh") || scheme.equals("git+ssh") || scheme.equals("ssh+git");
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** The URL without any user:password part, for messages and status. */
    static String redacted(String url) {
        return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
    }

    private String clean(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += " (" + cause.getMessage() + ")";
        }
        message = message.replace(git.url(), redacted(git.url()))
                .replaceAll("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]*@", "$1");
        message = message.replaceAll("[\\p{Cntrl}&&[^\n]]", "?").replace('\n', ' ');
        return message.length() > 400 ? message.substring(0, 400) + "..." : message;
    }

    static String shortId(ObjectId id) {
        return id.abbreviate(12).name();
    }
}
