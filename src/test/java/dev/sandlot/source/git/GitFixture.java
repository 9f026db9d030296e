package dev.sandlot.source.git;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;

/**
 * A bare repository reached through {@code file://} (the "server") and a working clone to commit
 * and push from, both in a temp folder. Made with JGit, so no git binary is needed.
 */
public final class GitFixture implements AutoCloseable {
    public final Path bare;
    public final Path work;
    private final Git git;
    private final PersonIdent who = new PersonIdent("sandlot test", "test@sandlot.invalid");

    public GitFixture(Path dir) throws GitAPIException, IOException, java.net.URISyntaxException {
        bare = dir.resolve("server.git");
        work = dir.resolve("work");
        Git.init().setBare(true).setDirectory(bare.toFile()).setInitialBranch("main").call().close();
        git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
        git.remoteAdd().setName("origin").setUri(new org.eclipse.jgit.transport.URIish(url())).call();
    }

    public String url() {
        return bare.toUri().toString();
    }

    /** Replaces the work tree's files (path → content; null deletes), commits and pushes to main. */
    public String commit(String message, Map<String, String> files) throws IOException, GitAPIException {
        return commitTo("main", message, files, false);
    }

    /** Commits on top of HEAD and pushes, forcing the update of {@code branch} when {@code force}. */
    public String commitTo(String branch, String message, Map<String, String> files, boolean force)
            throws IOException, GitAPIException {
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = work.resolve(f.getKey());
            if (f.getValue() == null) {
                Files.deleteIfExists(p);
                git.rm().addFilepattern(f.getKey()).call();
            } else {
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
                git.add().addFilepattern(f.getKey()).call();
            }
        }
        RevCommit c = git.commit().setMessage(message).setAuthor(who).setCommitter(who).setAllowEmpty(true).call();
        push(branch, force);
        return c.getName();
    }

    /** A symlink in the work tree, committed and pushed. */
    public String commitSymlink(String path, String target) throws IOException, GitAPIException {
        Path p = work.resolve(path);
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(target));
        git.add().addFilepattern(path).call();
        RevCommit c = git.commit().setMessage("symlink").setAuthor(who).setCommitter(who).call();
        push("main", false);
        return c.getName();
    }

    /** Moves HEAD of the work clone back to {@code commit} (for a force push of another history). */
    public void resetHard(String commit) throws GitAPIException {
        git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef(commit).call();
    }

    public void tag(String name, String commit) throws GitAPIException, IOException {
        try (org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(git.getRepository())) {
            git.tag().setName(name).setObjectId(walk.parseCommit(git.getRepository().resolve(commit)))
                    .setAnnotated(true).setMessage(name).setTagger(who).call();
        }
        git.push().setRemote("origin").setRefSpecs(new RefSpec("refs/tags/" + name + ":refs/tags/" + name)).call();
    }

    private void push(String branch, boolean force) throws GitAPIException {
        git.push().setRemote("origin").setRefSpecs(new RefSpec((force ? "+" : "") + "HEAD:refs/heads/" + branch))
                .call();
    }

    /** A manifest for a sandbox with an optional placement block (YAML, indented for spec). */
    public static String manifest(String name, String arg, String placement) {
        return """
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata:
                  name: %s
                spec:
                  rootfs:
                    path: /srv/rootfs/web
                  process:
                    args: ["/bin/httpd", "%s"]
                %s""".formatted(name, arg, placement == null ? "" : placement);
    }

    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    public void close() {
        git.close();
    }
}
