package dev.sandlot.cli;

import dev.sandlot.config.ConfigException;
import dev.sandlot.config.ConfigFile;
import dev.sandlot.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options every command shares (DESIGN.md §2). Each is also a key of the config file; the
 * command line wins over the file, the file over the defaults.
 */
public final class CommonOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Config file (default: /etc/sandlot/config.yaml when present).")
    Path config;

    @Option(names = "--manifests", paramLabel = "DIR",
            description = "Folder of sandbox manifests (default: /etc/sandlot/manifests).")
    Path manifests;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Records, bundles and sandbox logs (default: /var/lib/sandlot).")
    Path stateDir;

    @Option(names = "--run-dir", paramLabel = "DIR",
            description = "runsc root, lock and status file (default: /run/sandlot).")
    Path runDir;

    @Option(names = "--cni-conf-dir", paramLabel = "DIR",
            description = "CNI network configs (default: /etc/cni/net.d).")
    Path cniConfDir;

    @Option(names = "--cni-bin-dir", paramLabel = "DIR",
            description = "CNI plugin binaries; repeatable (default: /opt/cni/bin then /usr/lib/cni).")
    List<Path> cniBinDirs;

    @Option(names = "--runsc", paramLabel = "PATH", description = "The runsc binary (default: runsc on the PATH).")
    String runsc;

    @Option(names = "--runsc-flag", paramLabel = "FLAG",
            description = "Passed to every runsc call; repeatable, e.g. --runsc-flag=--network=host.")
    List<String> runscFlags;

    @Option(names = "--mount-allow", paramLabel = "DIR",
            description = "Host folder under which bind-mount sources may live; repeatable (default: /srv).")
    List<Path> mountAllowList;

    @Option(names = "--host-name", paramLabel = "NAME",
            description = "This host's name for spec.placement (default: the machine's host name).")
    String hostName;

    /** Defaults, then the config file, then these options; values that cannot work are refused. */
    public Settings resolve() throws ConfigException {
        Settings s = merge();
        if (s.parallelism() < 1) {
            throw new ConfigException("parallelism: must be at least 1 (it is how many sandboxes are worked on at once)");
        }
        if (s.cniBinDirs().isEmpty()) {
            throw new ConfigException("cniBinDirs: needs at least one folder (default: /opt/cni/bin, /usr/lib/cni)");
        }
        if (s.resyncInterval().compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            throw new ConfigException("resyncInterval: must be at least 1s");
        }
        return s;
    }

    private Settings merge() throws ConfigException {
        Settings d = Settings.defaults();
        ConfigFile.Content file = readConfigFile();
        return new Settings(
                pick(manifests, file.manifests(), d.manifestsDir()),
                pick(stateDir, file.stateDir(), d.stateDir()),
                pick(runDir, file.runDir(), d.runDir()),
                pick(cniConfDir, file.cniConfDir(), d.cniConfDir()),
                pickPaths(cniBinDirs, file.cniBinDirs(), d.cniBinDirs()),
                runsc != null ? runsc : file.runsc() != null ? file.runsc() : d.runsc(),
                runscFlags != null ? runscFlags : file.runscFlags() != null ? file.runscFlags() : d.runscFlags(),
                pickPaths(mountAllowList, file.mountAllowList(), d.mountAllowList()),
                d.netnsDir(),
                file.parallelism() != null ? file.parallelism() : d.parallelism(),
                file.resyncInterval() != null
                        ? ConfigFile.parseDuration(file.resyncInterval(), "resyncInterval") : d.resyncInterval(),
                file.metricsAddress() != null ? file.metricsAddress() : d.metricsAddress(),
                crashLoop(file, "initial", d.crashLoopInitial()),
                crashLoop(file, "max", d.crashLoopMax()),
                crashLoop(file, "resetAfter", d.crashLoopReset()),
                hostName != null ? hostName : file.hostName() != null ? file.hostName() : d.hostName(),
                ConfigFile.hostLabels(file) != null ? ConfigFile.hostLabels(file) : d.hostLabels(),
                ConfigFile.git(file),
                pickPaths(null, file.secretDirs(), d.secretDirs()),
                file.logFormat() != null ? ConfigFile.logFormat(file.logFormat(), "logFormat") : d.logFormat());
    }

    private static java.time.Duration crashLoop(ConfigFile.Content file, String key, java.time.Duration fallback)
            throws ConfigException {
        ConfigFile.CrashLoop c = file.crashLoopBackoff();
        String value = c == null ? null : switch (key) {
            case "initial" -> c.initial();
            case "max" -> c.max();
            default -> c.resetAfter();
        };
        return value == null ? fallback : ConfigFile.parseDuration(value, "crashLoopBackoff." + key);
    }

    private ConfigFile.Content readConfigFile() throws ConfigException {
        if (config != null) {
            if (!Files.isRegularFile(config)) {
                throw new ConfigException(config + ": no such config file");
            }
            return ConfigFile.read(config);
        }
        if (Files.isRegularFile(Settings.DEFAULT_CONFIG)) {
            return ConfigFile.read(Settings.DEFAULT_CONFIG);
        }
        return ConfigFile.empty();
    }

    private static Path pick(Path option, String fromFile, Path fallback) {
        return option != null ? option : fromFile != null ? Path.of(fromFile) : fallback;
    }

    private static List<Path> pickPaths(List<Path> option, List<String> fromFile, List<Path> fallback) {
        if (option != null) {
            return option;
        }
        if (fromFile != null) {
            List<Path> paths = new ArrayList<>();
            fromFile.forEach(p -> paths.add(Path.of(p)));
            return paths;
        }
        return fallback;
    }
}
