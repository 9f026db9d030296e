package dev.sandlot.cli;

import dev.sandlot.config.Settings;
import dev.sandlot.host.CniNetworks;
import dev.sandlot.host.ExecRequest;
import dev.sandlot.host.ExecResult;
import dev.sandlot.host.NetworkConfig;
import dev.sandlot.host.ProcessRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check the host: runsc and its version, the gVisor 10704 kernel quirk, CNI plugins",
            "and configs, network namespaces, iptables, folders and permissions. Each problem comes",
            "with a fix. Leaves the host as it was: the network namespace it makes to test with is",
            "deleted again.",
            "Exit status: 0 healthy, 1 problems."})
final class DoctorCommand implements Callable<Integer> {
    /** runsc releases from this date on carry the fix for gVisor issue 10704. */
    static final int RUNSC_FIXED_RELEASE = 20240807;
    static final List<String> REQUIRED_PLUGINS = List.of("loopback", "bridge", "host-local");
    /** Tools run with a cleared environment and the usual PATH (installed ones first, as a shell has it). */
    private static final Map<String, String> TOOL_ENV =
            Map.of("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    private static final Pattern RUNSC_DATE = Pattern.compile("(20\\d{6})");

    @Mixin
    CommonOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Who runs this; tests set it (the checks behind it go through the process seam). */
    String user = System.getProperty("user.name");
    /** Names the throwaway netns; tests seed it. */
    RandomGenerator random = new SecureRandom();

    private final List<String> problems = new ArrayList<>();
    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Settings settings = options.resolve();
        ProcessRunner runner = Context.runnerFactory.get();
        checkRoot();
        Integer runscDate = checkRunsc(runner, settings);
        checkPlugins(settings);
        checkNetworks(settings);
        checkTool(runner, "ip", List.of("ip", "-V"), "apt-get install iproute2");
        checkTool(runner, "iptables", List.of("iptables", "--version"), "apt-get install iptables");
        checkNetns(runner, settings, runscDate);
        checkFolder("manifests folder", settings.manifestsDir(), false);
        checkFolder("state dir", settings.stateDir(), true);
        checkFolder("run dir", settings.runDir(), true);
        out.println();
        if (problems.isEmpty()) {
            out.println("healthy: sandlot can run sandboxes on this host");
            return 0;
        }
        out.println(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " found");
        return 1;
    }

    private void ok(String what) {
        out.println("ok    " + what);
    }

    private void info(String what) {
        out.println("note  " + what);
    }

    private void problem(String what, String fix) {
        problems.add(what);
        out.println("FAIL  " + what);
        out.println("      fix: " + fix);
    }

    private void checkRoot() {
        if ("root".equals(user)) {
            ok("running as root");
        } else {
            problem("running as " + user + ": netns, CNI and runsc need root", "run sandlot as root (the systemd unit does)");
        }
    }

    private Integer checkRunsc(ProcessRunner runner, Settings settings) {
        try {
            ExecResult r = runner.run(ExecRequest.of(List.of(settings.runsc(), "--version"))
                    .withEnv(TOOL_ENV)
                    .withTimeout(Duration.ofSeconds(10)));
            String first = r.stdoutText().lines().findFirst().orElse("").trim();
            if (!r.succeeded()) {
                problem("runsc --version failed (exit " + r.exitCode() + ")", "reinstall runsc: apt-get install runsc");
                return null;
            }
            Matcher m = RUNSC_DATE.matcher(first);
            Integer date = m.find() ? Integer.valueOf(m.group(1)) : null;
            ok("runsc: " + first);
            return date;
        } catch (IOException e) {
            problem("runsc not found (" + settings.runsc() + ")",
                    "apt-get install runsc, or set --runsc PATH / runsc: in the config file");
            return null;
        }
    }

    /**
     * Network namespaces for real, the way sandlot makes them: {@code ip netns add} of a throwaway
     * namespace, always deleted again (in a finally, even when a check in it failed), so the host
     * is left as it was. Its name has no '.', so it is never taken for a sandbox id.
     */
    private void checkNetns(ProcessRunner runner, Settings settings, Integer runscDate) {
        String probe = "sandlot-doctor-" + Long.toHexString(random.nextLong() & Long.MAX_VALUE);
        Boolean rmemVisible = null;
        try {
            ExecResult add = ip(runner, "netns", "add", probe);
            if (add.succeeded()) {
                ok("network namespaces: ip netns add works");
                rmemVisible = rmemDefaultVisible(runner, probe);
            } else {
                problem("network namespaces: ip netns add failed (exit " + add.exitCode() + ": "
                        + firstLine(add.stderrText()) + ")",
                        "run as root on a kernel with network namespaces; /run/netns must be writable");
            }
        } catch (IOException e) {
            problem("network namespaces: ip cannot run (" + Errors.describe(e) + ")", "apt-get install iproute2");
        } finally {
            deleteProbe(runner, probe);
        }
        checkNetworkQuirk(settings, runscDate, rmemVisible);
    }

    private void deleteProbe(ProcessRunner runner, String probe) {
        try {
            ExecResult delete = ip(runner, "netns", "delete", probe);
            if (!delete.succeeded() && !firstLine(delete.stderrText()).contains("No such file")) {
                problem("network namespaces: the test namespace " + probe + " could not be deleted (exit "
                        + delete.exitCode() + ": " + firstLine(delete.stderrText()) + ")", "ip netns delete " + probe);
            }
        } catch (IOException e) {
            // ip cannot run at all: then it made nothing to delete either (reported above).
        }
    }

    /** Whether a fresh netns shows net.core.rmem_default; null when the probe could not tell. */
    private static Boolean rmemDefaultVisible(ProcessRunner runner, String probe) {
        ExecResult r;
        try {
            r = ip(runner, "netns", "exec", probe, "cat", "/proc/sys/net/core/rmem_default");
        } catch (IOException e) {
            return null; // timed out or could not start: no answer
        }
        if (r.succeeded()) {
            return true;
        }
        return r.stderrText().contains("No such file") ? false : null;
    }

    private static ExecResult ip(ProcessRunner runner, String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip"));
        argv.addAll(List.of(args));
        return runner.run(ExecRequest.of(argv).withEnv(TOOL_ENV).withTimeout(Duration.ofSeconds(10)));
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse("").trim();
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    /**
     * gVisor issue 10704: runsc before release-20240807.0 refuses its default network mode when a
     * fresh netns shows net.core.rmem_default, which Linux 6.9 and later do. Probed in doctor's
     * throwaway netns; when that probe could not tell, only a fixed runsc or host networking is ok.
     */
    private void checkNetworkQuirk(Settings settings, Integer runscDate, Boolean rmemVisible) {
        boolean hostNetwork = settings.runscFlags().stream()
                .anyMatch(f -> f.equals("--network=host") || f.equals("-network=host"));
        boolean fixed = runscDate != null && runscDate >= RUNSC_FIXED_RELEASE;
        if (rmemVisible == null && !fixed && !hostNetwork) {
            problem("gVisor issue 10704: cannot tell whether this host is affected (no network namespace to probe"
                    + " in) and this runsc (" + runscDate + ") predates the fix",
                    "fix the network namespace problem above and run doctor again, or upgrade runsc to"
                    + " release-20240807.0 or later");
            return;
        }
        boolean affected = !fixed && (rmemVisible == null || rmemVisible);
        if (!affected) {
            ok("gVisor issue 10704: not affected (runsc " + runscDate + ", fresh netns "
                    + (rmemVisible == null ? "not probed" : rmemVisible ? "shows" : "hides")
                    + " net.core.rmem_default)");
        } else if (hostNetwork) {
            ok("gVisor issue 10704: worked around with --network=host");
            info("--network=host is gVisor's host networking: the sandbox uses the host kernel's network stack"
                    + " inside its own netns, weaker isolation than gVisor's netstack; upgrading runsc to"
                    + " release-20240807.0 or later lets you drop it");
        } else {
            problem("gVisor issue 10704: this runsc (" + runscDate + ") fails with \"cannot run with network enabled"
                    + " in root network namespace\" on this kernel (a fresh netns shows net.core.rmem_default)",
                    "upgrade runsc to release-20240807.0 or later, or set --runsc-flag=--network=host (runscFlags:"
                    + " [\"--network=host\"] in the config file); note that host networking means the sandbox uses"
                    + " the host kernel's network stack in its own netns, weaker isolation than gVisor's netstack");
        }
    }

    private void checkPlugins(Settings settings) {
        for (String plugin : REQUIRED_PLUGINS) {
            Path found = settings.cniBinDirs().stream().map(d -> d.resolve(plugin))
                    .filter(Files::isExecutable).findFirst().orElse(null);
            if (found != null) {
                ok("CNI plugin " + plugin + ": " + found);
            } else {
                problem("CNI plugin " + plugin + " not found in " + settings.cniBinDirs(),
                        "apt-get install containernetworking-plugins, or set --cni-bin-dir");
            }
        }
    }

    private void checkNetworks(Settings settings) {
        if (!Files.isDirectory(settings.cniConfDir())) {
            problem("CNI conf dir " + settings.cniConfDir() + " does not exist",
                    "create it and add a network config (see examples/cni/), or set --cni-conf-dir");
            return;
        }
        try {
            CniNetworks.Scan scan = new CniNetworks(settings.cniConfDir()).scan();
            scan.errors().forEach((file, error) -> problem("CNI config " + file + ": " + error,
                    "fix or remove the file; sandlot reads every .conf, .conflist and .json there"));
            List<String> names = scan.networks().stream().map(NetworkConfig::name).toList();
            if (names.isEmpty()) {
                info("CNI conf dir " + settings.cniConfDir() + " has no networks: sandboxes get loopback only");
            } else {
                ok("CNI networks in " + settings.cniConfDir() + ": " + String.join(", ", names));
            }
        } catch (Exception e) {
            problem("cannot read CNI conf dir " + settings.cniConfDir() + ": " + Errors.describe(e),
                    "check its permissions");
        }
    }

    private void checkTool(ProcessRunner runner, String name, List<String> argv, String fix) {
        try {
            ExecResult r = runner.run(ExecRequest.of(argv)
                    .withEnv(TOOL_ENV)
                    .withTimeout(Duration.ofSeconds(10)));
            if (r.succeeded()) {
                ok(name + ": " + (r.stdoutText() + r.stderrText()).lines().findFirst().orElse("").trim());
            } else {
                problem(name + " fails (exit " + r.exitCode() + ")", fix);
            }
        } catch (IOException e) {
            problem(name + " not found", fix);
        }
    }

    private void checkFolder(String what, Path dir, boolean created) {
        if (Files.isDirectory(dir)) {
            ok(what + ": " + dir);
        } else if (created) {
            info(what + " " + dir + " does not exist yet; sandlot creates it");
        } else {
            problem(what + " " + dir + " does not exist",
                    "mkdir -p " + dir + " and put manifests there, or set --manifests");
        }
    }
}
