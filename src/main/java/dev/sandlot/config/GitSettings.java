package dev.sandlot.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@code git:} section of the config file: manifests come from a repository instead of the
 * manifests folder.
 *
 * @param url             what to fetch: {@code https://...}, {@code ssh://...}, {@code user@host:path}
 *                        or {@code file:///...}
 * @param ref             a branch, a tag or a commit id; null: the repository's HEAD (its default branch)
 * @param path            the folder inside the repository that holds the manifests; "" is the root
 * @param interval        how often to fetch
 * @param credentialsFile null, or a root-only file: {@code user:token} for https, a private key for ssh
 * @param knownHostsFile  null (ssh's own, root's ~/.ssh/known_hosts), or the known_hosts file for ssh
 * @param allowEmpty      whether a commit without manifests at {@code path} applies (removing every
 *                        sandbox); false: such a commit is refused and the last good one kept
 */
public record GitSettings(String url, String ref, String path, Duration interval, Path credentialsFile,
        Path knownHostsFile, boolean allowEmpty) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    public GitSettings {
        Objects.requireNonNull(url, "url");
        path = path == null ? "" : path;
        interval = interval == null ? DEFAULT_INTERVAL : interval;
    }

    /** The config file's {@code git:} section, checked; the key names appear in the messages. */
    static GitSettings from(ConfigFile.Git git) throws ConfigException {
        if (git.url() == null || git.url().isBlank()) {
            throw new ConfigException("git.url: required when the git section is present");
        }
        String ref = git.ref() == null || git.ref().isBlank() ? null : git.ref().trim();
        if (ref != null && (ref.startsWith("-") || ref.contains("..") || ref.chars().anyMatch(c -> c <= ' ' || c == 127))) {
            throw new ConfigException("git.ref: not a branch, tag or commit id: " + ref);
        }
        String path = normalizePath(git.path());
        Duration interval = git.interval() == null ? DEFAULT_INTERVAL
                : ConfigFile.parseDuration(git.interval(), "git.interval");
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("git.interval: at least 1s");
        }
        return new GitSettings(git.url().trim(), ref, path, interval, absolute(git.credentialsFile(), "git.credentialsFile"),
                absolute(git.knownHostsFile(), "git.knownHostsFile"), Boolean.TRUE.equals(git.allowEmpty()));
    }

    /** "deploy/hosts/" → "deploy/hosts"; "." or "/" → ""; ".." anywhere is refused. */
    static String normalizePath(String path) throws ConfigException {
        if (path == null) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        for (String segment : path.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..") || segment.equalsIgnoreCase(".git") || segment.contains("\\")
                    || segment.chars().anyMatch(c -> c < ' ')) {
                throw new ConfigException("git.path: a folder inside the repository, without '..' or '.git': " + path);
            }
            out.append(out.length() == 0 ? "" : "/").append(segment);
        }
        return out.toString();
    }

    private static Path absolute(String value, String key) throws ConfigException {
        if (value == null) {
            return null;
        }
        Path p = Path.of(value);
        if (!p.isAbsolute()) {
            throw new ConfigException(key + ": an absolute path: " + value);
        }
        return p;
    }
}
