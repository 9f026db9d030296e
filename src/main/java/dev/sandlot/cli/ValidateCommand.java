package dev.sandlot.cli;

import dev.sandlot.manifest.Dependencies;
import dev.sandlot.manifest.Location;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.ManifestError;
import dev.sandlot.manifest.ManifestException;
import dev.sandlot.manifest.ManifestFile;
import dev.sandlot.manifest.ManifestFiles;
import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.manifest.ParseResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code sandlot validate PATH...}: judges manifest files alone (syntax, schema, rules, the mount
 * allow-list), never the host. Errors go to stderr, one per line as
 * {@code FILE:LINE:COL: field.path: message}; the summary line goes to stdout.
 */
@Command(
        name = "validate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Checks manifest files and folders without touching the host.",
            "A folder means exactly the files the daemon would read there: *.yaml and *.yml regular"
                    + " files directly in it; dotfiles, editor/backup files and subfolders are ignored,"
                    + " symlinks and other non-regular files are reported.",
            "Every error is printed on stderr as FILE:LINE:COL: field.path: message; a summary line"
                    + " goes to stdout.",
            "A folder, or several files given together, is checked as one set, as the daemon reads it:"
                    + " a name declared twice, a dependsOn naming no sandbox of the set, or a dependsOn cycle is an"
                    + " error. A single file is judged alone (its dependencies may be declared elsewhere), but a"
                    + " cycle within it is an error.",
        },
        footer = {
            "",
            "Exit status: 0 when every file is valid, 1 when any is invalid or cannot be read.",
            "",
            "Examples:",
            "  sandlot validate manifests/",
            "  sandlot validate web.yaml db.yaml --mount-allow /srv --mount-allow /data",
        })
public final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Manifest files or folders.")
    List<Path> paths = new ArrayList<>();

    /** The shared options: --mount-allow and the config file's mountAllowList decide mounts. */
    @picocli.CommandLine.Mixin
    CommonOptions options = new CommonOptions();

    @Spec
    CommandSpec spec;

    /** The allow-list to judge mounts by: --mount-allow, else the config file's, else /srv. */
    List<Path> mountAllowList() throws dev.sandlot.config.ConfigException {
        List<Path> allow = options.resolve().mountAllowList();
        List<Path> absolute = new ArrayList<>();
        for (Path p : allow) {
            absolute.add(p.toAbsolutePath().normalize());
        }
        return absolute;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Path> allow;
        try {
            allow = mountAllowList();
        } catch (dev.sandlot.config.ConfigException e) {
            err.println("sandlot validate: " + e.getMessage());
            return 1;
        }

        Map<String, List<ManifestError>> errorsByFile = new LinkedHashMap<>();
        List<Manifest> manifests = new ArrayList<>();
        Set<String> namesWithErrors = new HashSet<>();
        Set<Path> seen = new HashSet<>();
        for (Path path : paths) {
            for (ManifestFile file : filesOf(path, errorsByFile)) {
                if (!seen.add(file.path().toAbsolutePath().normalize())) {
                    continue;
                }
                String display = file.path().toString();
                List<ManifestError> errors = errorsByFile.computeIfAbsent(display, k -> new ArrayList<>());
                if (file instanceof ManifestFile.Unreadable unreadable) {
                    errors.add(ManifestError.ofFile(display, unreadable.reason()));
                } else if (file instanceof ManifestFile.Loaded loaded) {
                    manifests.addAll(parse(display, loaded.content(), allow, errors, namesWithErrors));
                }
            }
        }
        for (ManifestError conflict : ManifestParser.nameConflicts(manifests)) {
            errorsByFile.get(conflict.location().file()).add(conflict);
        }
        for (ManifestError dependency : Dependencies.check(manifests, declaredElsewhere(namesWithErrors))) {
            errorsByFile.get(dependency.location().file()).add(dependency);
        }

        int errorCount = 0;
        int badFiles = 0;
        int valid = 0;
        for (Map.Entry<String, List<ManifestError>> file : errorsByFile.entrySet()) {
            List<ManifestError> errors = file.getValue();
            errors.sort(ManifestError.BY_POSITION);
            errors.forEach(err::println);
            errorCount += errors.size();
            badFiles += errors.isEmpty() ? 0 : 1;
        }
        for (Manifest m : manifests) {
            valid += errorsByFile.get(m.location().file()).isEmpty() ? 1 : 0;
        }
        err.flush();
        if (errorCount == 0) {
            out.println(plural(errorsByFile.size(), "file", "files") + ", "
                    + plural(valid, "sandbox", "sandboxes") + " valid");
        } else {
            out.println(plural(errorCount, "error", "errors") + " in " + plural(badFiles, "file", "files")
                    + " (" + plural(errorsByFile.size(), "file", "files") + " checked)");
        }
        out.flush();
        return errorCount == 0 ? 0 : 1;
    }

    /**
     * Which names outside the valid manifests count as declared. A folder, or several files given
     * together, is taken as the whole set, as the daemon reads it: only the documents with errors
     * declare more. A single file is judged alone: what it depends on may be declared in another
     * file, so only a cycle within it can be told.
     */
    private java.util.function.Predicate<String> declaredElsewhere(Set<String> namesWithErrors) {
        boolean whole = paths.size() > 1 || paths.stream().anyMatch(Files::isDirectory);
        return whole ? namesWithErrors::contains : name -> true;
    }

    /** The files a path stands for: a folder's manifest files, or the file itself. */
    private static List<ManifestFile> filesOf(Path path, Map<String, List<ManifestError>> errorsByFile) {
        if (!Files.isDirectory(path)) {
            return List.of(ManifestFiles.readFile(path));
        }
        try {
            return ManifestFiles.read(path);
        } catch (IOException e) {
            String display = path.toString();
            errorsByFile.computeIfAbsent(display, k -> new ArrayList<>())
                    .add(ManifestError.ofFile(display, "cannot read this folder (" + folderReason(e) + ")"));
            return List.of();
        }
    }

    private static List<Manifest> parse(String display, byte[] content, List<Path> allow, List<ManifestError> errors,
            Set<String> namesWithErrors) {
        try {
            ParseResult result = ManifestParser.parse(display, content, allow);
            errors.addAll(result.errors());
            namesWithErrors.addAll(result.namesWithErrors());
            return result.manifests();
        } catch (ManifestException e) {
            errors.add(new ManifestError(new Location(display, 1, 1), "",
                    "internal error while reading this file; please report it (" + e.getMessage() + ")"));
            return List.of();
        }
    }

    private static String folderReason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such folder";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a folder";
        }
        return e.getClass().getSimpleName();
    }

    private static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
