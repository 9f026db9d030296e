package dev.sandlot.source.git;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import dev.sandlot.state.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Checked-out commits under {@code <state-dir>/git}: each commit is written whole into
 * {@code checkouts/<commit>} (built beside it, then renamed into place), and the applied one is
 * named by {@code current.json}, replaced atomically; {@code current} is a symlink to it for
 * people. Only regular files are written, byte for byte from the blobs: no filter, no LFS, no
 * end-of-line conversion, no submodule; a symlink in the manifests folder, or any entry that could
 * escape the checkout, refuses the whole commit.
 */
final class Checkouts {
    static final long MAX_BYTES = 256L << 20;
    private static final ObjectMapper JSON = JsonMapper.builder().addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /** The applied commit and when it was applied. */
    record Pointer(String commit, Instant appliedAt) {
    }

    private final Path dir;

    Checkouts(Path dir) {
        this.dir = dir;
    }

    /** A stable folder name for the applied checkout, used to name manifest files in messages. */
    Path currentLink() {
        return dir.resolve("current");
    }

    Path checkout(String commit) {
        return dir.resolve("checkouts").resolve(commit);
    }

    /** The applied commit, or null when none is (yet). */
    Pointer current() {
        Path file = dir.resolve("current.json");
        try {
            Pointer p = JSON.readValue(Files.readAllBytes(file), Pointer.class);
            if (p.commit() == null || !p.commit().matches("[0-9a-f]{40}") || !Files.isDirectory(checkout(p.commit()))) {
                return null;
            }
            return p;
        } catch (IOException e) {
            return null;
        }
    }

    /** Makes {@code commit} the applied one. */
    void switchTo(String commit, Instant at) throws IOException {
        AtomicFiles.write(dir.resolve("current.json"), JSON.writeValueAsBytes(new Pointer(commit, at)));
        Path tmp = dir.resolve(".current.tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of("checkouts", commit));
        Files.move(tmp, currentLink(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Removes every checkout but these (the current and the previous). */
    void prune(Set<String> keep) {
        Path root = dir.resolve("checkouts");
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> entries = Files.list(root)) {
            entries.filter(p -> !keep.contains(p.getFileName().toString())).forEach(Checkouts::deleteTree);
        } catch (IOException e) {
            // the next switch tries again
        }
    }

    /**
     * Writes the commit's tree into {@code checkouts/<commit>} unless it is there already; returns it.
     *
     * @throws GitException when the commit has a symlink, or an entry that is not a plain name
     */
    Path materialize(Repository repo, ObjectId commitId, String manifestsPath) throws GitException, IOException {
        String commit = commitId.name();
        Path target = checkout(commit);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            return target;
        }
        Path root = Files.createDirectories(dir.resolve("checkouts"));
        Path tmp = root.resolve("." + commit + ".tmp");
        deleteTree(tmp);
        Files.createDirectory(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        long total = 0;
        try (RevWalk walk = new RevWalk(repo); TreeWalk tree = new TreeWalk(repo)) {
            RevCommit c = walk.parseCommit(commitId);
            tree.addTree(c.getTree());
            tree.setRecursive(false);
            while (tree.next()) {
                String path = tree.getPathString();
                checkName(tree.getNameString(), path, commit);
                FileMode mode = tree.getFileMode(0);
                Path out = tmp.resolve(path);
                if (mode == FileMode.TREE) {
                    Files.createDirectory(out);
                    tree.enterSubtree();
                } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
                    ObjectLoader blob = repo.open(tree.getObjectId(0));
                    total += blob.getSize();
                    if (total > MAX_BYTES) {
                        throw new GitException("commit " + commit + " is larger than " + (MAX_BYTES >> 20)
                                + " MiB checked out; keep large files out of the manifests repository");
                    }
                    try (InputStream in = blob.openStream();
                            OutputStream o = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW)) {
                        in.transferTo(o);
                    }
                } else if (mode == FileMode.SYMLINK && within(path, manifestsPath)) {
                    throw new GitException("commit " + commit + " has a symlink, " + path
                            + "; symlinks are refused (a manifest repository holds plain files)");
                }
                // A symlink elsewhere in the repository is not written (never read either);
                // a GITLINK (a submodule) is never fetched, nothing written.
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (GitException | IOException | RuntimeException e) {
            deleteTree(tmp);
            if (e instanceof FileAlreadyExistsException && Files.isDirectory(target)) {
                return target;
            }
            throw e;
        }
        return target;
    }

    private static boolean within(String path, String folder) {
        return folder.isEmpty() || path.equals(folder) || path.startsWith(folder + "/");
    }

    /** A tree entry name must be a plain file name: never empty, ".", "..", ".git", nor hold '/' or '\'. */
    static void checkName(String name, String path, String commit) throws GitException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/") || name.contains("\\")
                || name.indexOf('\0') >= 0 || name.toLowerCase(Locale.ROOT).equals(".git")) {
            throw new GitException("commit " + commit + " has an entry that could escape the checkout ("
                    + path.replaceAll("\\p{Cntrl}", "?") + "); refused");
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // left for the next prune
                }
            });
        } catch (IOException e) {
            // left for the next prune
        }
    }
}
