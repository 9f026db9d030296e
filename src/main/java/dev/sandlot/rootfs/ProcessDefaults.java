package dev.sandlot.rootfs;

import dev.sandlot.manifest.ProcessSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fills in what the manifest's process leaves open from the image config, as Kubernetes does
 * with a container's image:
 * <ul>
 * <li>args: the manifest's when given (they replace Entrypoint and Cmd, like Kubernetes'
 *     {@code command}); else Entrypoint followed by Cmd; an error when both are empty.</li>
 * <li>env: the image's Env, then the manifest's env over it (the manifest wins for a name both set).</li>
 * <li>cwd: the manifest's when given; else the image's WorkingDir; else "/".</li>
 * <li>user: the manifest's when given; else the image's User ("uid", "uid:gid", "name" or
 *     "name:group", names looked up in the image's own /etc/passwd and /etc/group, as runc does;
 *     a uid without a group takes its passwd entry's group, else 0); else 0:0.</li>
 * </ul>
 * Without an image (a path or archive rootfs) only the plain defaults apply ("/", 0:0).
 */
final class ProcessDefaults {
    private static final long MAX_ID = 0xFFFF_FFFEL;

    private ProcessDefaults() {
    }

    /**
     * The fully resolved process: args non-empty, cwd and user set.
     *
     * @param image     the image config, or null without an image
     * @param rootfsDir the unpacked tree, for user and group names
     */
    static ProcessSpec resolve(ProcessSpec manifest, ImageConfig image, Path rootfsDir, Limits limits)
            throws RootfsException {
        if (image == null) {
            if (manifest.args().isEmpty()) {
                throw new RootfsException("process.args is empty and the rootfs is not an image to take them from");
            }
            return new ProcessSpec(manifest.args(), manifest.cwd() == null ? "/" : manifest.cwd(), manifest.env(),
                    manifest.user() == null ? ProcessSpec.User.ROOT : manifest.user(), manifest.envFrom());
        }
        List<String> args = manifest.args();
        if (args.isEmpty()) {
            args = new ArrayList<>(image.entrypoint());
            args.addAll(image.cmd());
            if (args.isEmpty() || args.get(0).isEmpty()) {
                throw new RootfsException("the image config has no Entrypoint or Cmd to run; give process.args in"
                        + " the manifest");
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : image.env()) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        env.putAll(manifest.env());
        String cwd = manifest.cwd() != null ? manifest.cwd()
                : image.workingDir().isEmpty() ? "/" : workingDir(image.workingDir());
        ProcessSpec.User user = manifest.user() != null ? manifest.user() : user(image.user(), rootfsDir, limits);
        return new ProcessSpec(args, cwd, env, user, manifest.envFrom());
    }

    /** The image's WorkingDir as a clean absolute path (Docker reads a relative one from "/"). */
    static String workingDir(String dir) throws RootfsException {
        List<String> parts = new ArrayList<>();
        for (String part : dir.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new RootfsException("the image's WorkingDir " + Names.shown(dir) + " has a '..'; set"
                        + " process.cwd in the manifest");
            }
            parts.add(part);
        }
        return "/" + String.join("/", parts);
    }

    /** Docker's and runc's reading of an image's User. */
    static ProcessSpec.User user(String spec, Path rootfsDir, Limits limits) throws RootfsException {
        String text = spec.trim();
        if (text.isEmpty()) {
            return ProcessSpec.User.ROOT;
        }
        int colon = text.indexOf(':');
        String userPart = colon < 0 ? text : text.substring(0, colon);
        String groupPart = colon < 0 ? null : text.substring(colon + 1);
        if (userPart.isEmpty()) {
            throw new RootfsException("the image's User " + Names.shown(spec) + " names no user");
        }
        Long uid = numeric(userPart, spec);
        long gid = 0;
        if (uid == null || groupPart == null) {
            // A name must be found; a numeric uid takes its passwd entry's group when it has one.
            String[] entry = lookUp(rootfsDir, "etc/passwd", userPart, uid, 2, limits, uid == null);
            if (entry != null) {
                uid = numeric(entry[2], "passwd entry " + userPart);
                Long primary = numeric(entry[3], "passwd entry " + userPart);
                gid = primary == null ? 0 : primary;
            }
            if (uid == null) {
                throw new RootfsException("the image's User " + Names.shown(spec) + ": the passwd entry has no"
                        + " numeric uid");
            }
        }
        if (groupPart != null) {
            if (groupPart.isEmpty()) {
                throw new RootfsException("the image's User " + Names.shown(spec) + " names an empty group");
            }
            Long g = numeric(groupPart, spec);
            if (g == null) {
                String[] entry = lookUp(rootfsDir, "etc/group", groupPart, null, 2, limits, true);
                g = numeric(entry[2], "group entry " + groupPart);
                if (g == null) {
                    throw new RootfsException("the image's group " + Names.shown(groupPart) + " has no numeric gid");
                }
            }
            gid = g;
        }
        return new ProcessSpec.User(uid, gid);
    }

    private static Long numeric(String s, String what) throws RootfsException {
        if (s.isEmpty() || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        if (s.length() > 10 || Long.parseLong(s) > MAX_ID) {
            throw new RootfsException("the image's User " + Names.shown(what) + " has an id out of range");
        }
        return Long.parseLong(s);
    }

    /**
     * The colon-separated line of {@code file} (inside the tree) whose first field is {@code name},
     * or whose field {@code idField} is {@code id} when {@code id} is given; null when not found
     * and not {@code required}. The file is read only when it is a regular file reached without a
     * symlink: a link in the image could point at the host's own /etc/passwd.
     */
    private static String[] lookUp(Path rootfsDir, String file, String name, Long id, int idField, Limits limits,
            boolean required) throws RootfsException {
        List<String> lines = readInTree(rootfsDir, file, limits);
        if (lines == null) {
            if (required) {
                throw new RootfsException("the image's User names " + Names.shown(name) + " but the image has no /"
                        + file + " (a regular file) to look it up in; set process.user in the manifest");
            }
            return null;
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(":", -1);
            if (fields.length < 4) {
                continue;
            }
            boolean match = id == null ? fields[0].equals(name) : fields[idField].equals(String.valueOf(id));
            if (match) {
                return fields;
            }
        }
        if (required) {
            throw new RootfsException("the image's User names " + Names.shown(name) + ", which is not in the image's /"
                    + file + "; set process.user in the manifest");
        }
        return null;
    }

    private static List<String> readInTree(Path rootfsDir, String file, Limits limits) throws RootfsException {
        Path p = rootfsDir;
        try {
            for (String part : file.split("/")) {
                p = p.resolve(part);
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) {
                    return null;
                }
            }
            if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                byte[] bytes = in.readNBytes(limits.maxUserFileBytes() + 1);
                if (bytes.length > limits.maxUserFileBytes()) {
                    throw new RootfsException("the image's /" + file + " is larger than " + limits.maxUserFileBytes()
                            + " bytes; set process.user in the manifest");
                }
                return new String(bytes, StandardCharsets.UTF_8).lines().toList();
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new RootfsException("cannot read the image's /" + file + ": " + e.getMessage(), e);
        }
    }
}
