package dev.sandlot.apply;

import static dev.sandlot.host.RecordingProcessRunner.env;
import static dev.sandlot.host.RecordingProcessRunner.ok;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.config.Settings;
import dev.sandlot.host.Cgroups;
import dev.sandlot.host.Cni;
import dev.sandlot.host.CniNetworks;
import dev.sandlot.host.ExecRequest;
import dev.sandlot.host.ExecResult;
import dev.sandlot.host.Iptables;
import dev.sandlot.host.Netns;
import dev.sandlot.host.ProcFs;
import dev.sandlot.host.RecordingProcessRunner;
import dev.sandlot.host.Runsc;
import dev.sandlot.observe.KnownSandboxes;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.manifest.ParseResult;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * A host made of temp dirs and a {@link RecordingProcessRunner}: {@code ip netns add/delete} make
 * and remove files in a netns dir (which is how {@link Netns} tells existence), CNI plugins are
 * empty executables whose ADD answers a result per interface, runsc run "starts" a process by
 * writing a /proc/PID/stat file that runsc kill turns into a zombie. Every rule can be overridden
 * by a newer one in a test.
 */
final class FakeHost {
    static final String MYNET = """
            {"cniVersion": "0.4.0", "name": "mynet",
             "plugins": [{"type": "bridge", "bridge": "br-now", "ipam": {"type": "host-local", "subnet": "10.22.0.0/24"}}]}
            """;
    static final String OTHER = """
            {"cniVersion": "1.0.0", "name": "other",
             "plugins": [{"type": "bridge", "bridge": "br-other", "ipam": {"type": "host-local", "subnet": "10.23.0.0/24"}}]}
            """;
    static final int FIRST_PID = 4000;

    final Path dir;
    final Path stateDir;
    final Path netnsDir;
    final Path confDir;
    final Path binDir;
    final Path rootfs;
    final Path proc;
    final Path runscRoot;
    final RecordingProcessRunner runner = new RecordingProcessRunner();
    final HostClients host;
    /** The pid "runsc run" gave each id. */
    final Map<String, Integer> pids = new ConcurrentHashMap<>();

    FakeHost(Path dir) throws IOException {
        this.dir = dir;
        stateDir = dir.resolve("state");
        netnsDir = Files.createDirectories(dir.resolve("netns"));
        confDir = Files.createDirectories(dir.resolve("net.d"));
        binDir = Files.createDirectories(dir.resolve("bin"));
        rootfs = Files.createDirectories(dir.resolve("rootfs"));
        proc = Files.createDirectories(dir.resolve("proc"));
        runscRoot = dir.resolve("run/runsc");
        Files.writeString(confDir.resolve("10-mynet.conflist"), MYNET);
        Files.writeString(confDir.resolve("20-other.conflist"), OTHER);
        for (String plugin : List.of("loopback", "bridge")) {
            Path p = Files.writeString(binDir.resolve(plugin), "#!/bin/false\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        ProcFs procFs = new ProcFs(proc);
        host = new HostClients(Settings.defaults(), new StateStore(stateDir),
                new Runsc(runner, "runsc", runscRoot, List.of(), procFs, Duration.ofSeconds(30)),
                new Netns(runner, netnsDir),
                new Cni(runner, List.of(binDir), Duration.ofSeconds(30)),
                new CniNetworks(confDir),
                new Iptables(runner),
                procFs,
                new Cgroups(Files.createDirectories(dir.resolve("cgroup"))),
                Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC), new KnownSandboxes());
        host.state().init();
        defaultRules();
    }

    private void defaultRules() {
        runner.whenArgv("ip", "netns", "add").thenReturn(r -> {
            Files.createFile(netnsDir.resolve(r.argv().get(3)));
            return ExecResult.ok("");
        });
        runner.whenArgv("ip", "netns", "delete").thenReturn(r -> {
            Files.deleteIfExists(netnsDir.resolve(r.argv().get(3)));
            return ExecResult.ok("");
        });
        runner.when(env("CNI_COMMAND", "ADD")).thenReturn(r -> ExecResult.ok(addResult(r)));
        runner.when(env("CNI_COMMAND", "DEL")).thenReturn(ok(""));
        runner.whenArgv("runsc", "--root", runscRoot.toString(), "run").thenReturn(r -> {
            Files.write(r.outputFile(), "runsc: started\n".getBytes(StandardCharsets.UTF_8),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            String id = r.argv().get(r.argv().size() - 1);
            int pid = FIRST_PID + pids.size();
            pids.put(id, pid);
            writeStat(pid, 'S');
            return ExecResult.ok("");
        });
        runner.whenArgv("runsc", "--root", runscRoot.toString(), "kill").thenReturn(r -> {
            String id = r.argv().get(r.argv().size() - 2);
            Integer pid = pids.get(id);
            if (pid != null) {
                writeStat(pid, 'Z');
            }
            return ExecResult.ok("");
        });
        runner.whenArgv("runsc", "--root", runscRoot.toString(), "delete").thenReturn(ok(""));
        runner.whenArgv("runsc", "--root", runscRoot.toString(), "state").thenReturn(
                RecordingProcessRunner.fail(1, "loading container: file does not exist"));
        runner.whenArgv("iptables", "-w", "5", "-t", "nat", "-S").thenReturn(ok("-P PREROUTING ACCEPT\n"));
    }

    /** A CNI result as the bridge (or loopback) plugin gives it, per interface. */
    String addResult(ExecRequest r) {
        String ifname = r.env().get("CNI_IFNAME");
        String netns = r.env().get("CNI_NETNS");
        if (ifname.equals("lo")) {
            return "{\"cniVersion\":\"0.3.1\",\"interfaces\":[{\"name\":\"lo\",\"sandbox\":\"" + netns + "\"}],"
                    + "\"ips\":[{\"version\":\"4\",\"address\":\"127.0.0.1/8\",\"interface\":0}]}";
        }
        int n = Integer.parseInt(ifname.substring(3));
        return "{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"br" + n + "\"},{\"name\":\"veth" + n + "\"},"
                + "{\"name\":\"" + ifname + "\",\"sandbox\":\"" + netns + "\"}],"
                + "\"ips\":[{\"address\":\"10.2" + (2 + n) + ".0.5/24\",\"interface\":2}]}";
    }

    void writeStat(int pid, char state) throws IOException {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(d.resolve("stat"), pid + " (runsc-sandbox) " + state
                + " 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0 987654 123456 789 18446744073709551615\n");
    }

    /** These clients with other settings (the state store stays in this host's temp dir). */
    HostClients with(Settings settings) {
        return new HostClients(settings, host.state(), host.runsc(), host.netns(), host.cni(), host.networks(),
                host.iptables(), host.proc(), host.cgroups(), host.clock(), host.known());
    }

    /** One line per request: CNI calls by command, plugin, ifname and network; others by argv. */
    static String describe(ExecRequest r, Path dir) {
        String cni = r.env().get("CNI_COMMAND");
        String line;
        if (cni != null) {
            JsonNode stdin = RecordingProcessRunner.stdinJson(r);
            line = "CNI " + cni + " " + r.program() + " " + r.env().get("CNI_IFNAME") + " " + stdin.path("name").asText();
        } else if (r.program().equals("runsc")) {
            line = "runsc " + String.join(" ", r.argv().subList(3, r.argv().size()));
        } else {
            line = String.join(" ", r.argv());
        }
        return line.replace(dir.toString(), "$T");
    }

    List<String> calls() {
        return runner.requests().stream().map(r -> describe(r, dir)).collect(Collectors.toList());
    }

    /** A desired sandbox parsed from YAML, its rootfs in this host's temp dir. */
    DesiredSandbox desired(String name, String... networks) {
        return desired(name, "-f", rootfs, List.of(networks), "");
    }

    DesiredSandbox desired(String name, String arg, Path rootfsDir, List<String> networks, String mounts) {
        return desired(name, "{path: " + rootfsDir + "}", arg, networks, mounts);
    }

    /** @param rootfs the YAML of spec.rootfs, such as {@code {archive: /srv/a.tar}} */
    DesiredSandbox desired(String name, String rootfs, String arg, List<String> networks, String mounts) {
        String yaml = """
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata: {name: %s}
                spec:
                  rootfs: %s
                  process: {args: ["/bin/httpd", "%s"]}
                  networks: [%s]
                %s""".formatted(name, rootfs, arg, String.join(", ", networks), mounts);
        String file = dir.resolve("manifests/" + name + ".yaml").toString();
        ParseResult r = ManifestParser.parse(file, yaml.getBytes(StandardCharsets.UTF_8), List.of(dir));
        if (!r.valid()) {
            throw new AssertionError("fixture manifest invalid: " + r.errors());
        }
        Manifest m = r.manifests().get(0);
        return DesiredSandbox.of(m, file);
    }
}
