package dev.sandlot.apply;

import dev.sandlot.manifest.HostFolders;
import dev.sandlot.manifest.MountSpec;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.manifest.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a sandbox may see of the host, checked on the host when it is created (RELIABILITY.md
 * §E.36). The validator judged the paths as written, against folders known by their usual names;
 * here they are checked with symlinks resolved, and against the folders this host is configured
 * with, which may live anywhere (even under the mount allow-list /srv): the state dir (bundles hold
 * resolved envFrom values, unpacked trees other sandboxes run from), the run dir (runsc's state)
 * and every secretDirs folder. A sandbox may never see one of them: its mount sources and rootfs
 * are never one, never under one and never hold one.
 */
final class HostPathGuard {
    /** A configured folder and what it is, for messages. */
    private record Protected(Path folder, String what) {
    }

    private final List<Protected> folders = new ArrayList<>();

    HostPathGuard(HostClients host) {
        protect(host.state().stateDir(), "sandlot's state dir");
        protect(host.settings().stateDir(), "sandlot's state dir");
        protect(host.settings().runDir(), "sandlot's run dir");
        for (Path secrets : host.settings().secretDirs()) {
            protect(secrets, "the secret folder");
        }
    }

    /** Each folder as configured and, when it exists, with its symlinks resolved. */
    private void protect(Path folder, String what) {
        Path given = folder.toAbsolutePath().normalize();
        folders.add(new Protected(given, what));
        try {
            Path real = given.toRealPath();
            if (!real.equals(given)) {
                folders.add(new Protected(real, what));
            }
        } catch (IOException e) {
            // Not there (yet): nothing to resolve; the path as configured is still protected.
        }
    }

    /** Every mount source exists, has no symlink on its way, and shows no protected folder. */
    void checkMounts(String name, SandboxSpec spec) throws ApplyException {
        for (MountSpec m : spec.mounts()) {
            Path source = Path.of(m.source());
            if (!Files.exists(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new ApplyException(name, "mounts", "mount source " + source + " does not exist on this host", null);
            }
            if (Files.isSymbolicLink(source)) {
                throw new ApplyException(name, "mounts", "mount source " + source + " is a symlink; name its target", null);
            }
            // The allow-list judged the path as written, and runsc follows links when it mounts: a
            // symlinked folder on the way (/srv/x -> /etc) would bind what it leads to.
            Path real = realPath(name, "mounts", "mount source", source);
            if (!real.equals(source)) {
                throw new ApplyException(name, "mounts", "mount source " + source + " leads through a symlink to "
                        + real + "; name the real path, under the mount allow-list", null);
            }
            String overlap = overlap(real);
            if (overlap != null) {
                throw new ApplyException(name, "mounts", "mount source " + source + " " + overlap
                        + ": no sandbox may see it; mount a folder outside it", null);
            }
        }
    }

    /**
     * The rootfs as named (directory, archive or image layout) is no host folder of
     * {@link HostFolders#ROOTFS} and shows no protected folder, with symlinks resolved. A path
     * that does not exist passes: resolving the rootfs reports it. The trees sandlot unpacks into
     * its own state dir are not named by manifests and so never checked here.
     */
    void checkRootfs(String name, SandboxSpec spec) throws ApplyException {
        Rootfs rootfs = spec.rootfs();
        Map.Entry<String, String> named = rootfs.path() != null ? Map.entry("rootfs.path", rootfs.path())
                : rootfs.archive() != null ? Map.entry("rootfs.archive", rootfs.archive())
                : Map.entry("rootfs.image.layout", rootfs.image().layout());
        Path given = Path.of(named.getValue());
        if (!Files.exists(given)) {
            return;
        }
        Path real = realPath(name, "rootfs", named.getKey(), given);
        String text = real.toString();
        String hostFolder = HostFolders.under(text, HostFolders.ROOTFS);
        if (hostFolder == null && rootfs.archive() == null) {
            hostFolder = HostFolders.inside(text, HostFolders.ROOTFS);
        }
        String overlap = hostFolder != null ? "resolves to " + real + ", which shows the host folder " + hostFolder
                : overlap(real);
        if (overlap != null) {
            throw new ApplyException(name, "rootfs", named.getKey() + " " + given + " " + overlap
                    + ": no sandbox may see it; keep root filesystems under /srv or /opt", null);
        }
    }

    /** How {@code real} meets a protected folder ("is under the state dir /x"), or null. */
    private String overlap(Path real) {
        for (Protected p : folders) {
            if (real.startsWith(p.folder())) {
                return (real.equals(p.folder()) ? "is " : "is under ") + p.what() + " " + p.folder();
            }
            if (p.folder().startsWith(real)) {
                return "holds " + p.what() + " " + p.folder();
            }
        }
        return null;
    }

    private static Path realPath(String name, String step, String what, Path path) throws ApplyException {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new ApplyException(name, step, what + " " + path + " cannot be resolved ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }
}
