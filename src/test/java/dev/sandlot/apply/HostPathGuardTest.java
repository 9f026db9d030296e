package dev.sandlot.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandlot.config.Settings;
import dev.sandlot.source.DesiredSandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RELIABILITY.md §E.36 on the host: no mount source or rootfs shows the state dir, run dir or a
 * secret folder as this host configures them (here all under the mount allow-list), nor, through
 * a symlink, a host folder the validator refuses by name.
 */
class HostPathGuardTest {
    @TempDir
    Path dir;

    FakeHost fake;
    Path secrets;
    Path runDir;
    HostPathGuard guard;

    @BeforeEach
    void host() throws IOException {
        fake = new FakeHost(dir);
        secrets = Files.createDirectories(dir.resolve("srv/secrets"));
        runDir = Files.createDirectories(dir.resolve("srv/run"));
        guard = new HostPathGuard(fake.with(settings(fake.stateDir, runDir, List.of(secrets))));
    }

    private static Settings settings(Path stateDir, Path runDir, List<Path> secretDirs) {
        Settings d = Settings.defaults();
        return new Settings(d.manifestsDir(), stateDir, runDir, d.cniConfDir(), d.cniBinDirs(), d.runsc(),
                d.runscFlags(), d.mountAllowList(), d.netnsDir(), d.parallelism(), d.resyncInterval(),
                d.metricsAddress(), d.crashLoopInitial(), d.crashLoopMax(), d.crashLoopReset(), d.hostName(),
                d.hostLabels(), d.git(), secretDirs, d.logFormat());
    }

    private DesiredSandbox mounting(Path source) {
        return fake.desired("web", "-f", fake.rootfs, List.of(),
                "  mounts: [{source: " + source + ", destination: /data}]\n");
    }

    private DesiredSandbox onRootfs(String rootfs) {
        return fake.desired("web", rootfs, "-f", List.of(), "");
    }

    private void assertMountRefused(Path source, String why) {
        assertThatThrownBy(() -> guard.checkMounts("web", mounting(source).manifest().spec()))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("mounts"))
                .hasMessage("web: mounts: mount source " + source + " " + why
                        + ": no sandbox may see it; mount a folder outside it");
    }

    private void assertRootfsRefused(String rootfs, String why) {
        assertThatThrownBy(() -> guard.checkRootfs("web", onRootfs(rootfs).manifest().spec()))
                .isInstanceOf(ApplyException.class)
                .satisfies(e -> assertThat(((ApplyException) e).step()).isEqualTo("rootfs"))
                .hasMessageEndingWith(why + ": no sandbox may see it; keep root filesystems under /srv or /opt");
    }

    @Test
    void aMountSourceOutsideEveryProtectedFolderPasses() throws Exception {
        Path www = Files.createDirectories(dir.resolve("srv/www"));
        assertThatCode(() -> guard.checkMounts("web", mounting(www).manifest().spec())).doesNotThrowAnyException();
    }

    @Test
    void theStateDirIsNeverAMountSourceNorAnythingUnderIt() throws Exception {
        assertMountRefused(fake.stateDir, "is sandlot's state dir " + fake.stateDir);
        Path bundles = Files.createDirectories(fake.stateDir.resolve("sandboxes"));
        assertMountRefused(bundles, "is under sandlot's state dir " + fake.stateDir);
    }

    @Test
    void aMountSourceHoldingTheStateDirIsRefused() {
        assertMountRefused(dir, "holds sandlot's state dir " + fake.stateDir);
    }

    @Test
    void theRunDirAndEverySecretFolderAreNeverMountSources() throws Exception {
        assertMountRefused(runDir, "is sandlot's run dir " + runDir);
        Path one = Files.createDirectories(secrets.resolve("web"));
        assertMountRefused(one, "is under the secret folder " + secrets);
        assertMountRefused(dir.resolve("srv"), "holds sandlot's run dir " + runDir);
    }

    @Test
    void aProtectedFolderConfiguredThroughASymlinkIsProtectedAtItsTarget() throws Exception {
        Path real = Files.createDirectories(dir.resolve("srv/vault"));
        Path link = Files.createSymbolicLink(dir.resolve("vault-link"), real);
        guard = new HostPathGuard(fake.with(settings(fake.stateDir, runDir, List.of(link))));

        assertMountRefused(real, "is the secret folder " + real);
    }

    @Test
    void aProtectedFolderThatDoesNotExistYetIsProtectedAsConfigured() throws Exception {
        Path later = dir.resolve("srv/later");
        guard = new HostPathGuard(fake.with(settings(later, runDir, List.of(secrets))));
        Files.createDirectories(later);

        assertMountRefused(later, "is sandlot's state dir " + later);
    }

    @Test
    void aFaultyMountIsRefusedByTheCreateWithNothingMade() throws Exception {
        SandboxCreator creator = new SandboxCreator(fake.with(settings(fake.stateDir, runDir, List.of(secrets))),
                new SandboxTeardown(fake.host, Duration.ZERO), new SplittableRandom(1));

        assertThatThrownBy(() -> creator.create(mounting(secrets)))
                .isInstanceOf(ApplyException.class)
                .hasMessageContaining("mount source " + secrets + " is the secret folder " + secrets);
        assertThat(fake.runner.requests()).isEmpty();
        assertThat(fake.host.state().loadAll()).isEmpty();
    }

    @Test
    void aRootfsOutsideEveryProtectedFolderPassesAndAMissingOneIsLeftToTheRootfsStep() {
        assertThatCode(() -> guard.checkRootfs("web", onRootfs("{path: " + fake.rootfs + "}").manifest().spec()))
                .doesNotThrowAnyException();
        assertThatCode(() -> guard.checkRootfs("web", onRootfs("{path: " + dir.resolve("missing") + "}")
                .manifest().spec())).doesNotThrowAnyException();
    }

    @Test
    void aRootfsPathInTheStateDirIsRefusedSoNoSandboxRunsOnAnotherOnesTree() throws Exception {
        Path tree = Files.createDirectories(fake.stateDir.resolve("rootfs/sha256-ab"));
        assertRootfsRefused("{path: " + tree + "}", "rootfs.path " + tree + " is under sandlot's state dir "
                + fake.stateDir);
    }

    @Test
    void anArchiveInASecretFolderAndALayoutHoldingTheRunDirAreRefused() throws Exception {
        Path tar = Files.writeString(secrets.resolve("db.tar"), "");
        assertRootfsRefused("{archive: " + tar + "}", "rootfs.archive " + tar + " is under the secret folder " + secrets);
        Path srv = dir.resolve("srv");
        assertRootfsRefused("{image: {layout: " + srv + "}}", "rootfs.image.layout " + srv + " holds sandlot's run dir "
                + runDir);
    }

    @Test
    void aRootfsLeadingThroughASymlinkToAHostFolderIsRefused() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("srv/etc-rootfs"), Path.of("/etc"));
        Path etc = Path.of("/etc").toRealPath();
        assertRootfsRefused("{path: " + link + "}", "rootfs.path " + link + " resolves to " + etc
                + ", which shows the host folder /etc");
    }
}
