package dev.sandlot.manifest;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The manifest package's entry point: the bytes of one file in, its valid sandboxes and every
 * error out. Pure: it reads nothing but its arguments and never looks at the host.
 *
 * <pre>{@code
 * ParseResult r = ManifestParser.parse("web.yaml", bytes, settings.mountAllowList());
 * r.errors().forEach(e -> System.err.println(e));   // web.yaml:7:11: spec.process.cwd: must be an absolute path
 * }</pre>
 */
public final class ManifestParser {
    /** The mount allow-list when none is configured (DESIGN.md §1). */
    public static final List<Path> DEFAULT_MOUNT_ALLOW_LIST = List.of(Path.of("/srv"));
    /** Files larger than this are refused unread. */
    public static final int MAX_FILE_BYTES = SafeYaml.MAX_FILE_BYTES;

    private ManifestParser() {
    }

    /** {@link #parse(String, byte[], List)} with the default mount allow-list ({@code /srv}). */
    public static ParseResult parse(String displayName, byte[] content) {
        return parse(displayName, content, DEFAULT_MOUNT_ALLOW_LIST);
    }

    /**
     * Reads and validates every document of one manifest file.
     *
     * @param displayName    how errors name the file (the path as the user typed it, or relative to the folder)
     * @param mountAllowList absolute host directories under which bind-mount sources may lie
     * @return the fully valid documents' manifests (defaults applied) and every error, by position.
     *     A file with no document at all is an error: an emptied or truncated file must never read
     *     as "no sandboxes".
     * @throws ManifestException only for a bug; a bad file always gives errors instead
     * @throws IllegalArgumentException if an allow-list entry is not absolute
     */
    public static ParseResult parse(String displayName, byte[] content, List<Path> mountAllowList) {
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(content, "content");
        List<String> roots = normalizedRoots(mountAllowList);
        try {
            return parseChecked(displayName, content, roots);
        } catch (RuntimeException e) {
            throw new ManifestException("unexpected failure while reading manifest file "
                    + Text.printable(displayName) + " (a bug in sandlot)", e);
        }
    }

    private static ParseResult parseChecked(String file, byte[] content, List<String> roots) {
        SafeYaml.Stream stream = SafeYaml.read(file, content);
        List<ManifestError> errors = new ArrayList<>(stream.errors());
        Validator validator = new Validator(file, roots, errors);
        List<Validator.Checked> checked = new ArrayList<>();
        for (SafeYaml.Document document : stream.documents()) {
            checked.add(validator.check(document));
        }
        if (stream.complete() && stream.documents().isEmpty() && errors.isEmpty()) {
            errors.add(ManifestError.ofFile(file,
                    "no manifest in this file (delete the file to remove its sandboxes)"));
        }
        List<Validator.Checked> conflicting = nameConflicts(file, checked, errors);
        List<Manifest> manifests = new ArrayList<>();
        List<String> namesWithErrors = new ArrayList<>();
        for (Validator.Checked c : checked) {
            if (c.manifest() != null && !conflicting.contains(c)) {
                manifests.add(c.manifest());
            } else if (c.name() != null) {
                namesWithErrors.add(c.name());
            }
        }
        errors.sort(ManifestError.BY_POSITION);
        return new ParseResult(manifests, errors, namesWithErrors);
    }

    /** Two documents of one file with the same name: an error on each; returns the documents involved. */
    private static List<Validator.Checked> nameConflicts(
            String file, List<Validator.Checked> checked, List<ManifestError> errors) {
        Map<String, List<Validator.Checked>> byName = new LinkedHashMap<>();
        for (Validator.Checked c : checked) {
            if (c.name() != null) {
                byName.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c);
            }
        }
        List<Validator.Checked> conflicting = new ArrayList<>();
        for (List<Validator.Checked> same : byName.values()) {
            if (same.size() < 2) {
                continue;
            }
            for (Validator.Checked c : same) {
                List<String> otherLines = new ArrayList<>();
                for (Validator.Checked other : same) {
                    if (other != c) {
                        otherLines.add(String.valueOf(other.nameNode().line()));
                    }
                }
                YamlNode at = c.nameNode();
                errors.add(new ManifestError(new Location(file, at.line(), at.column()),
                        "metadata.name", "another document in this file has the same name (line "
                        + String.join(", ", otherLines) + ")"));
                conflicting.add(c);
            }
        }
        return conflicting;
    }

    /**
     * Sandbox names declared in more than one place among manifests from several files: one error
     * per declaration, naming the other places. Identity is the name, so none of them may run.
     */
    public static List<ManifestError> nameConflicts(List<Manifest> manifests) {
        Map<String, List<Manifest>> byName = new HashMap<>();
        for (Manifest m : manifests) {
            byName.computeIfAbsent(m.name(), k -> new ArrayList<>()).add(m);
        }
        List<ManifestError> errors = new ArrayList<>();
        for (Manifest m : manifests) {
            List<Manifest> same = byName.get(m.name());
            if (same.size() < 2) {
                continue;
            }
            List<String> others = new ArrayList<>();
            for (Manifest other : same) {
                if (other != m) {
                    others.add(other.location().toString());
                }
            }
            errors.add(new ManifestError(m.location(), "metadata.name",
                    "this sandbox name is also declared at " + String.join(", ", others)));
        }
        errors.sort(ManifestError.BY_POSITION);
        return errors;
    }

    private static List<String> normalizedRoots(List<Path> mountAllowList) {
        List<String> roots = new ArrayList<>();
        for (Path root : mountAllowList) {
            if (!root.isAbsolute()) {
                throw new IllegalArgumentException("mount allow-list entries must be absolute: " + root);
            }
            roots.add(root.normalize().toString());
        }
        return roots;
    }
}
