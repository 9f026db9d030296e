package dev.sandlot.host;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sandlot.manifest.MountSpec;
import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.Resources;
import dev.sandlot.manifest.SandboxSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a sandbox's OCI bundle {@code config.json}, built field by field from validated values
 * (RELIABILITY.md §E): never a manifest fragment passed through, no hooks (runsc runs them on the
 * host as root), no annotations, no devices, no namespace path but the netns sandlot made, no
 * capability beyond containerd's default set. The same input always gives the same bytes.
 */
public final class BundleWriter {
    public static final String OCI_VERSION = "1.0.2";
    /** containerd's default capability set. */
    static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER",
            "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");
    /** runc's and containerd's defaults. */
    static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
            "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
            "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");
    static final long CPU_PERIOD = 100_000;
    /** The kernel refuses a CFS quota below 1 ms. */
    static final long MIN_CPU_QUOTA = 1_000;
    static final long NOFILE = 1024;

    /** Any name a process environment can hold: not empty, no '=', no NUL. */
    private static final Pattern ENV_KEY = Pattern.compile("[^=\\x00]+");
    private static final Pattern HOSTNAME = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final List<String> FORBIDDEN_DESTINATIONS = List.of("/proc", "/sys", "/dev");
    private static final ObjectWriter WRITER = Json.MAPPER.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    /**
     * The {@code config.json} bytes for these parameters (pure).
     *
     * @throws IllegalArgumentException if a value breaks a rule the manifest validator enforces
     *                                  (checked again here because this is what runs as root)
     */
    public byte[] configJson(BundleParams p) {
        SandboxSpec spec = p.spec();
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("ociVersion", OCI_VERSION);
        root.set("process", process(spec.process(), spec.hostname()));
        ObjectNode rootfs = root.putObject("root");
        rootfs.put("path", absolute(p.rootfsDir().toString(), "rootfs"));
        rootfs.put("readonly", true);
        root.put("hostname", hostname(spec.hostname()));
        root.set("mounts", mounts(spec.mounts(), p.resolvConf(), p.hostsFile()));
        root.set("linux", linux(p, spec.resources()));
        try {
            return WRITER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize config.json", e);
        }
    }

    /**
     * Writes {@code <bundleDir>/config.json} atomically (temp file, fsync, rename, fsync of the dir),
     * creating the dir; readable by root only, since the environment may hold secrets.
     */
    public void write(Path bundleDir, BundleParams p) throws HostException {
        byte[] json = configJson(p);
        Path target = bundleDir.resolve("config.json");
        Path temp = bundleDir.resolve(".config.json.tmp");
        try {
            Files.createDirectories(bundleDir);
            Files.deleteIfExists(temp);
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                ByteBuffer buf = ByteBuffer.wrap(json);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel dir = FileChannel.open(bundleDir, StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new HostException("cannot write the bundle of sandbox " + p.id() + " to " + target + ": " + e
                    + "; check that the state dir is writable and not full", e);
        }
    }

    private static ObjectNode process(ProcessSpec proc, String hostname) {
        ObjectNode process = Json.MAPPER.createObjectNode();
        process.put("terminal", false);
        ObjectNode user = process.putObject("user");
        user.put("uid", nonNegative(proc.user().uid(), "uid"));
        user.put("gid", nonNegative(proc.user().gid(), "gid"));
        ArrayNode args = process.putArray("args");
        if (proc.args().isEmpty()) {
            throw new IllegalArgumentException("process.args is empty");
        }
        proc.args().forEach(a -> args.add(noNul(a, "process.args")));
        process.set("env", env(proc.env(), hostname));
        String cwd = proc.cwd() == null || proc.cwd().isEmpty() ? "/" : proc.cwd();
        cleanAbsolute(cwd, "process.cwd");
        if (cwd.equals("/proc") || cwd.startsWith("/proc/")) {
            // runc CVE-2024-21626: a cwd in /proc/self/fd can reach host files.
            throw new IllegalArgumentException("process.cwd may not be under /proc: " + Text.clean(cwd, 200));
        }
        process.put("cwd", cwd);
        ObjectNode caps = process.putObject("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            ArrayNode a = caps.putArray(set);
            CAPABILITIES.forEach(a::add);
        }
        ObjectNode nofile = process.putArray("rlimits").addObject();
        nofile.put("type", "RLIMIT_NOFILE");
        nofile.put("hard", NOFILE);
        nofile.put("soft", NOFILE);
        process.put("noNewPrivileges", true);
        return process;
    }

    /** PATH first (a default unless the spec sets one), then the spec's variables sorted, then HOSTNAME. */
    private static ArrayNode env(Map<String, String> specEnv, String hostname) {
        ArrayNode env = Json.MAPPER.createArrayNode();
        if (!specEnv.containsKey("PATH")) {
            env.add("PATH=" + ExecRequest.DEFAULT_PATH);
        }
        new java.util.TreeMap<>(specEnv).forEach((k, v) -> {
            if (!ENV_KEY.matcher(k).matches()) {
                throw new IllegalArgumentException("invalid environment variable name: '" + Text.clean(k, 80) + "'");
            }
            env.add(k + "=" + noNul(v, "env " + k));
        });
        if (!specEnv.containsKey("HOSTNAME")) {
            env.add("HOSTNAME=" + hostname);
        }
        return env;
    }

    private static ArrayNode mounts(List<MountSpec> binds, Path resolvConf, Path hostsFile) {
        ArrayNode mounts = Json.MAPPER.createArrayNode();
        mount(mounts, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
                "gid=5");
        mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
        mount(mounts, "/tmp", "tmpfs", "tmpfs", "nosuid", "nodev", "mode=1777");
        // Parents before children, as containerd sorts them; stable for equal depths.
        List<MountSpec> sorted = new ArrayList<>(binds);
        sorted.sort(Comparator.comparingInt(m -> depth(m.destination())));
        for (MountSpec m : sorted) {
            String destination = cleanAbsolute(m.destination(), "mount destination");
            for (String forbidden : FORBIDDEN_DESTINATIONS) {
                if (destination.equals(forbidden) || destination.startsWith(forbidden + "/")) {
                    throw new IllegalArgumentException("mount destination " + destination + " is under " + forbidden);
                }
            }
            if (destination.equals("/")) {
                throw new IllegalArgumentException("mount destination / would hide the rootfs");
            }
            String source = cleanAbsolute(m.source(), "mount source");
            if (m.readOnly()) {
                mount(mounts, destination, "bind", source, "rbind", "ro", "nosuid", "nodev");
            } else {
                mount(mounts, destination, "bind", source, "rbind", "nosuid", "nodev");
            }
        }
        if (resolvConf != null) {
            mount(mounts, "/etc/resolv.conf", "bind", cleanAbsolute(resolvConf.toString(), "resolv.conf"), "rbind", "ro",
                    "nosuid", "nodev", "noexec");
        }
        if (hostsFile != null) {
            mount(mounts, "/etc/hosts", "bind", cleanAbsolute(hostsFile.toString(), "hosts file"), "rbind", "ro",
                    "nosuid", "nodev", "noexec");
        }
        return mounts;
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
        ObjectNode m = mounts.addObject();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        ArrayNode o = m.putArray("options");
        for (String option : options) {
            o.add(option);
        }
    }

    private static ObjectNode linux(BundleParams p, Resources resources) {
        ObjectNode linux = Json.MAPPER.createObjectNode();
        ArrayNode ns = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount")) {
            ns.addObject().put("type", type);
        }
        ns.addObject().put("type", "network").put("path", cleanAbsolute(p.netnsPath().toString(), "netns path"));
        linux.put("cgroupsPath", cleanAbsolute(p.cgroupsPath(), "cgroupsPath"));
        ObjectNode res = linux.putObject("resources");
        if (resources.memoryBytes() != null) {
            res.putObject("memory").put("limit", positive(resources.memoryBytes(), "memory"));
        }
        if (resources.milliCpus() != null) {
            long quota = Math.max(MIN_CPU_QUOTA, positive(resources.milliCpus(), "cpus") * CPU_PERIOD / 1000);
            res.putObject("cpu").put("quota", quota).put("period", CPU_PERIOD);
        }
        if (resources.pids() != null) {
            res.putObject("pids").put("limit", positive(resources.pids(), "pids"));
        }
        ArrayNode masked = linux.putArray("maskedPaths");
        MASKED_PATHS.forEach(masked::add);
        ArrayNode readonly = linux.putArray("readonlyPaths");
        READONLY_PATHS.forEach(readonly::add);
        return linux;
    }

    private static String hostname(String hostname) {
        if (hostname == null || hostname.length() > 63 || !HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException("invalid hostname: '" + Text.clean(String.valueOf(hostname), 80) + "'");
        }
        return hostname;
    }

    private static int depth(String path) {
        return (int) path.chars().filter(c -> c == '/').count();
    }

    private static String absolute(String path, String what) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException(what + " must be an absolute path: " + Text.clean(path, 200));
        }
        return noNul(path, what);
    }

    /** Absolute, no "." or ".." component, no empty component, no trailing slash (but "/"). */
    static String cleanAbsolute(String path, String what) {
        absolute(path, what);
        if (path.equals("/")) {
            return path;
        }
        for (String part : path.substring(1).split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException(what + " must be a clean absolute path (no '.', '..', '//' or"
                        + " trailing '/'): " + Text.clean(path, 200));
            }
        }
        return path;
    }

    private static String noNul(String s, String what) {
        if (s == null || s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " is null or holds a NUL character");
        }
        return s;
    }

    private static long nonNegative(long v, String what) {
        if (v < 0 || v > 0xFFFF_FFFEL) {
            throw new IllegalArgumentException(what + " out of range: " + v);
        }
        return v;
    }

    private static long positive(Long v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive: " + v);
        }
        return v;
    }
}
