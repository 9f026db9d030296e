package dev.sandlot.manifest;

import java.util.List;

/**
 * Host folders a manifest may never hand to a sandbox, by their usual names. {@code validate}
 * judges the text with these lists; {@code apply} checks them again on the path with its symlinks
 * resolved, together with the folders this host is configured with (state dir, run dir,
 * secretDirs), which no list written here can know.
 */
public final class HostFolders {
    /** Mount sources are never these nor under them, whatever the allow-list says (RELIABILITY.md §E.36). */
    public static final List<String> MOUNT_SOURCES =
            List.of("/etc", "/proc", "/sys", "/dev", "/run", "/var/lib/cni", "/var/lib/sandlot");

    /**
     * A rootfs (path, archive or image layout) is never one of these, under one, nor (for a folder)
     * above one. runsc reads the rootfs as root and shows it to the sandbox, so a manifest (perhaps
     * from git) naming /etc as its rootfs would read /etc/shadow. Listed: the kernel's views
     * (/proc, /sys, /dev), host configuration and credentials (/etc, /root, /home, /boot), runtime
     * state with sockets and keys (/run, /var/run), sandlot's and CNI's own state (bundles hold
     * resolved envFrom values; unpacked trees of other sandboxes), and what Debian keeps root-only
     * under /var (logs, mail, spools, /var/backups with copies of /etc/shadow). Root filesystems
     * belong under /srv or /opt, as every example has them.
     */
    public static final List<String> ROOTFS = List.of("/proc", "/sys", "/dev", "/etc", "/root", "/home", "/boot",
            "/run", "/var/run", "/var/lib/sandlot", "/var/lib/cni", "/var/log", "/var/mail", "/var/spool",
            "/var/backups");

    private HostFolders() {
    }

    /** True when normalized absolute {@code path} is {@code root} or lies under it. */
    public static boolean isUnder(String path, String root) {
        return root.equals("/") || path.equals(root) || path.startsWith(root + "/");
    }

    /** The first of {@code roots} that {@code path} is or lies under, or null. */
    public static String under(String path, List<String> roots) {
        for (String root : roots) {
            if (isUnder(path, root)) {
                return root;
            }
        }
        return null;
    }

    /** The first of {@code roots} that lies under {@code path} (so showing path shows it too), or null. */
    public static String inside(String path, List<String> roots) {
        for (String root : roots) {
            if (isUnder(root, path)) {
                return root;
            }
        }
        return null;
    }
}
