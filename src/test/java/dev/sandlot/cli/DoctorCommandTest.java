package dev.sandlot.cli;

import static dev.sandlot.host.RecordingProcessRunner.cannotStart;
import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static dev.sandlot.host.RecordingProcessRunner.timeout;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.RecordingProcessRunner;
import dev.sandlot.host.SystemProcessRunner;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sandlot doctor} through the process seam: every tool it runs is the fake's, so no runsc,
 * ip or iptables runs and no netns is made. Folders, CNI plugins and configs are temp dirs.
 */
class DoctorCommandTest {
    private static final String FIXED_RUNSC = "runsc version release-20240807.0\nspec: 1.1.0-rc.1\n";
    private static final String OLD_RUNSC = "runsc version release-20231009.0\nspec: 1.1.0-rc.1\n";
    private static final String HIDDEN = "cat: /proc/sys/net/core/rmem_default: No such file or directory";

    @TempDir
    Path dir;

    final RecordingProcessRunner runner = new RecordingProcessRunner();
    final StringWriter out = new StringWriter();
    final List<String> options = new ArrayList<>();
    final DoctorCommand doctor = new DoctorCommand();

    @BeforeEach
    void healthyHost() throws IOException {
        TestHooks.setRunnerFactory(() -> runner);
        doctor.user = "root";
        doctor.random = new SplittableRandom(7);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String plugin : DoctorCommand.REQUIRED_PLUGINS) {
            Files.writeString(bin.resolve(plugin), "#!/bin/false\n");
            Files.setPosixFilePermissions(bin.resolve(plugin), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path conf = Files.createDirectories(dir.resolve("net.d"));
        Files.writeString(conf.resolve("10-mynet.conflist"), """
                {"cniVersion": "0.4.0", "name": "mynet", "plugins": [{"type": "bridge"}]}
                """);
        options.addAll(List.of("--config", Files.writeString(dir.resolve("config.yaml"), "# none\n").toString(),
                "--manifests", Files.createDirectories(dir.resolve("manifests")).toString(),
                "--state-dir", dir.resolve("state").toString(), "--run-dir", dir.resolve("run").toString(),
                "--cni-bin-dir", bin.toString(), "--cni-conf-dir", conf.toString()));
        runner.whenArgv("runsc", "--version").thenReturn(ok(FIXED_RUNSC));
        runner.whenArgv("ip", "-V").thenReturn(ok("ip utility, iproute2-6.1.0\n"));
        runner.whenArgv("iptables", "--version").thenReturn(ok("iptables v1.8.9 (nf_tables)\n"));
        runner.whenArgv("ip", "netns", "add").thenReturn(ok(""));
        runner.whenArgv("ip", "netns", "exec").thenReturn(fail(1, HIDDEN));
        runner.whenArgv("ip", "netns", "delete").thenReturn(ok(""));
    }

    @AfterEach
    void realSeam() {
        TestHooks.setRunnerFactory(SystemProcessRunner::new);
    }

    private int doctor(String... more) {
        CommandLine cli = new CommandLine(doctor);
        cli.setOut(new PrintWriter(out, true));
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of(more));
        return cli.execute(args.toArray(String[]::new));
    }

    /** The ip netns calls, in order, with the probe's random name as NS. */
    private List<String> netnsCalls() {
        List<String> lines = runner.commandLines().stream().filter(l -> l.startsWith("ip netns")).toList();
        String name = lines.get(0).split(" ")[3];
        assertThat(name).matches("sandlot-doctor-[0-9a-f]+");
        return lines.stream().map(l -> l.replace(name, "NS")).toList();
    }

    @Test
    void aHealthyHostExitsZeroAfterEveryCheck() {
        assertThat(doctor()).isZero();

        assertThat(out.toString()).contains(
                "ok    running as root",
                "ok    runsc: runsc version release-20240807.0",
                "ok    CNI plugin bridge: " + dir.resolve("bin/bridge"),
                "ok    CNI networks in " + dir.resolve("net.d") + ": mynet",
                "ok    ip: ip utility, iproute2-6.1.0",
                "ok    iptables: iptables v1.8.9 (nf_tables)",
                "ok    network namespaces: ip netns add works",
                "ok    gVisor issue 10704: not affected (runsc 20240807, fresh netns hides net.core.rmem_default)",
                "ok    manifests folder: " + dir.resolve("manifests"),
                "note  state dir " + dir.resolve("state") + " does not exist yet; sandlot creates it",
                "healthy: sandlot can run sandboxes on this host");
        assertThat(out.toString()).doesNotContain("FAIL");
    }

    @Test
    void theNetnsCheckMakesARealNamespaceProbesInItAndDeletesIt() {
        doctor();

        assertThat(netnsCalls()).containsExactly("ip netns add NS",
                "ip netns exec NS cat /proc/sys/net/core/rmem_default", "ip netns delete NS");
        assertThat(runner.requests()).allSatisfy(r -> assertThat(r.env()).containsOnlyKeys("PATH"));
    }

    @Test
    void aNamespaceThatCannotBeMadeIsAProblemAndIsStillDeleted() {
        runner.whenArgv("ip", "netns", "add").thenReturn(fail(1, "mount --make-shared /run/netns failed: Operation not permitted\n"));

        assertThat(doctor()).isEqualTo(1);

        assertThat(out.toString()).contains("FAIL  network namespaces: ip netns add failed (exit 1: mount --make-shared"
                + " /run/netns failed: Operation not permitted)",
                "      fix: run as root on a kernel with network namespaces; /run/netns must be writable",
                "1 problem found");
        assertThat(netnsCalls()).containsExactly("ip netns add NS", "ip netns delete NS");
        assertThat(out.toString()).contains("ok    gVisor issue 10704: not affected (runsc 20240807, fresh netns not probed")
                .as("a runsc with the fix needs no probe");
    }

    @Test
    void withoutANamespaceAnOldRunscIsAProblemNotASkip() {
        runner.whenArgv("runsc", "--version").thenReturn(ok(OLD_RUNSC));
        runner.whenArgv("ip", "netns", "add").thenReturn(fail(1, "permission denied"));

        assertThat(doctor()).isEqualTo(1);

        assertThat(out.toString()).contains("FAIL  gVisor issue 10704: cannot tell whether this host is affected",
                "2 problems found");
        assertThat(out.toString()).doesNotContain("skipped");
    }

    @Test
    void aProbeThatTimesOutStillDeletesTheNamespace() {
        runner.whenArgv("runsc", "--version").thenReturn(ok(OLD_RUNSC));
        runner.whenArgv("ip", "netns", "exec").thenReturn(timeout());

        assertThat(doctor()).isEqualTo(1);

        assertThat(netnsCalls()).containsExactly("ip netns add NS",
                "ip netns exec NS cat /proc/sys/net/core/rmem_default", "ip netns delete NS");
        assertThat(out.toString()).contains("FAIL  gVisor issue 10704: cannot tell whether this host is affected");
    }

    @Test
    void aNamespaceThatCannotBeDeletedIsAProblemNamingIt() {
        runner.whenArgv("ip", "netns", "delete").thenReturn(fail(1, "Cannot remove namespace file: Device or resource busy"));

        assertThat(doctor()).isEqualTo(1);

        assertThat(out.toString()).containsPattern("FAIL  network namespaces: the test namespace sandlot-doctor-[0-9a-f]+"
                + " could not be deleted \\(exit 1: Cannot remove namespace file: Device or resource busy\\)")
                .containsPattern("fix: ip netns delete sandlot-doctor-[0-9a-f]+");
    }

    @Test
    void anOldRunscOnAKernelThatShowsRmemDefaultIsAProblemWithItsFix() {
        runner.whenArgv("runsc", "--version").thenReturn(ok(OLD_RUNSC));
        runner.whenArgv("ip", "netns", "exec").thenReturn(ok("212992\n"));

        assertThat(doctor()).isEqualTo(1);

        assertThat(out.toString()).contains("FAIL  gVisor issue 10704: this runsc (20231009) fails",
                "fix: upgrade runsc to release-20240807.0 or later, or set --runsc-flag=--network=host");
    }

    @Test
    void hostNetworkingWorksAroundTheQuirkAndSaysWhatItCosts() {
        runner.whenArgv("runsc", "--version").thenReturn(ok(OLD_RUNSC));
        runner.whenArgv("ip", "netns", "exec").thenReturn(ok("212992\n"));

        assertThat(doctor("--runsc-flag=--network=host")).isZero();

        assertThat(out.toString()).contains("ok    gVisor issue 10704: worked around with --network=host",
                "note  --network=host is gVisor's host networking");
    }

    @Test
    void anOldRunscOnAKernelThatHidesRmemDefaultIsFine() {
        runner.whenArgv("runsc", "--version").thenReturn(ok(OLD_RUNSC));

        assertThat(doctor()).isZero();

        assertThat(out.toString()).contains(
                "ok    gVisor issue 10704: not affected (runsc 20231009, fresh netns hides net.core.rmem_default)");
    }

    @Test
    void aMissingRunscIsAProblemWithTheInstallCommand() {
        runner.whenArgv("runsc", "--version").thenReturn(cannotStart());

        assertThat(doctor()).isEqualTo(1);

        assertThat(out.toString()).contains("FAIL  runsc not found (runsc)", "fix: apt-get install runsc");
    }

    @Test
    void missingPluginsBrokenConfigsAndToolsAreEachAProblem() throws IOException {
        Files.delete(dir.resolve("bin/host-local"));
        Files.writeString(dir.resolve("net.d/20-broken.conf"), "{not json");
        runner.whenArgv("iptables", "--version").thenReturn(cannotStart());

        assertThat(doctor()).isEqualTo(1);

        assertThat(out.toString()).contains("FAIL  CNI plugin host-local not found in [" + dir.resolve("bin") + "]",
                "FAIL  CNI config " + dir.resolve("net.d/20-broken.conf"),
                "FAIL  iptables not found", "fix: apt-get install iptables", "3 problems found");
    }

    @Test
    void notRunningAsRootIsAProblem() {
        doctor.user = "alice";

        assertThat(doctor()).isEqualTo(1);

        assertThat(out.toString()).contains("FAIL  running as alice: netns, CNI and runsc need root");
    }

    @Test
    void aMissingManifestsFolderIsAProblemWithTheMkdir() throws IOException {
        Files.delete(dir.resolve("manifests"));

        assertThat(doctor()).isEqualTo(1);

        assertThat(out.toString()).contains("FAIL  manifests folder " + dir.resolve("manifests") + " does not exist",
                "fix: mkdir -p " + dir.resolve("manifests"));
    }
}
