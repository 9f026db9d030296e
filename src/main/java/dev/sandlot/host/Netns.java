package dev.sandlot.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Named network namespaces, made and removed with {@code ip netns} (which keeps them as bind mounts
 * under /run/netns) and listed by reading that directory. Creating an existing one and deleting a
 * missing one both succeed, so every call can be repeated.
 *
 * <p>{@code ip} always works in /run/netns; {@code netnsDir} must be that directory in production
 * (another directory only makes sense for reading in tests).
 */
public final class Netns {
    /** What a netns name may look like: a CNI container id (no '/', never "." or ".."). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ProcessRunner runner;
    private final Path netnsDir;
    private final String ip;

    public Netns(ProcessRunner runner, Path netnsDir) {
        this(runner, netnsDir, "ip");
    }

    public Netns(ProcessRunner runner) {
        this(runner, Path.of("/run/netns"));
    }

    Netns(ProcessRunner runner, Path netnsDir, String ip) {
        this.runner = runner;
        this.netnsDir = netnsDir;
        this.ip = ip;
    }

    /** Creates the namespace; one that already exists is left as it is. */
    public void create(String name) throws HostException {
        Path path = path(name);
        if (Files.exists(path)) {
            return;
        }
        ExecResult r = exec("add", name);
        if (!r.succeeded() && !Files.exists(path)) {
            throw new HostException("cannot create network namespace " + name + ": ip netns add exited with "
                    + r.exitCode() + ": " + Text.clean(r.stderr(), 500)
                    + "; check that sandlot runs as root and that " + netnsDir + " is writable");
        }
    }

    /** Deletes the namespace; a missing one is success. */
    public void delete(String name) throws HostException {
        Path path = path(name);
        if (!Files.exists(path)) {
            return;
        }
        ExecResult r = exec("delete", name);
        if (!r.succeeded() && Files.exists(path)) {
            throw new HostException("cannot delete network namespace " + name + ": ip netns delete exited with "
                    + r.exitCode() + ": " + Text.clean(r.stderr(), 500)
                    + "; a process may still hold it busy (check `ip netns pids " + name + "`)");
        }
    }

    public boolean exists(String name) {
        return Files.exists(path(name));
    }

    /** The names in the netns directory that start with {@code prefix}, sorted; no process runs. */
    public Set<String> list(String prefix) throws HostException {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(netnsDir)) {
            for (Path p : dir) {
                String n = p.getFileName().toString();
                if (n.startsWith(prefix)) {
                    names.add(n);
                }
            }
        } catch (NoSuchFileException e) {
            return names;
        } catch (IOException e) {
            throw new HostException("cannot list network namespaces in " + netnsDir + ": " + e.getMessage(), e);
        }
        return names;
    }

    /** Where the namespace of this name is (or would be) mounted. */
    public Path path(String name) {
        return netnsDir.resolve(validate(name));
    }

    static String validate(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid network namespace name: "
                    + (name == null ? "null" : "'" + Text.clean(name, 80) + "'")
                    + " (letters, digits, '_', '.', '-'; no '/')");
        }
        return name;
    }

    private ExecResult exec(String verb, String name) throws HostException {
        try {
            return runner.run(new ExecRequest(List.of(ip, "netns", verb, name), ExecRequest.HOST_ENV, null, TIMEOUT,
                    null, ExecRequest.DEFAULT_MAX_OUTPUT));
        } catch (IOException e) {
            throw new HostException("ip netns " + verb + " " + name + " failed: " + e.getMessage(), e);
        }
    }
}
