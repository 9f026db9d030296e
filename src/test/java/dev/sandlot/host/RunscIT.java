package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.Resources;
import dev.sandlot.manifest.RestartPolicy;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.manifest.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole tutorial with sandlot's own clients: netns, CNI loopback + bridge, a bundle from
 * {@link BundleWriter}, {@code runsc --network=host run -detach}, HTTP to the sandbox's IP, then
 * kill, wait, delete and the reverse.
 */
@Timeout(180)
class RunscIT {
    @TempDir
    Path tmp;

    private HostFixture host;

    @BeforeAll
    static void needsTheHost() {
        HostFixture.assumeHost();
    }

    @BeforeEach
    void setUp() throws Exception {
        host = new HostFixture(tmp);
    }

    @AfterEach
    void cleanUp() throws Exception {
        host.close();
    }

    @AfterAll
    static void removeShared() throws Exception {
        HostFixture.removeShared();
    }

    private static SandboxSpec httpd(Path rootfs) {
        return new SandboxSpec(Rootfs.directory(rootfs.toString()),
                new ProcessSpec(List.of("/bin/httpd", "-f", "-p", "8000", "-h", "/var/www/html"), "/var/www/html",
                        Map.of("GREETING", "hello"), ProcessSpec.User.ROOT),
                "web", List.of(HostFixture.NETWORK), List.of(), new Resources(256L << 20, 500L, 100L),
                RestartPolicy.Always);
    }

    @Test
    void aBusyboxHttpdSandboxServesHelloWorldOnItsCniAddressAndGoesAwayCompletely() throws Exception {
        Path rootfs = host.busyboxRootfs();
        String id = host.newId();
        String cgroup = HostFixture.CGROUP_PARENT + "/" + id;
        Path bundle = tmp.resolve("bundles").resolve(id);
        Path log = tmp.resolve("logs/web.log");
        Files.createDirectories(log.getParent());

        long t0 = System.nanoTime();
        host.netns.create(id);
        long t1 = System.nanoTime();
        JsonNode lo = host.add(NetworkConfig.loopback(), id, "lo");
        JsonNode eth0 = host.add(host.network(), id, "eth0");
        long t2 = System.nanoTime();
        new BundleWriter().write(bundle, new BundleParams(id, httpd(rootfs), rootfs, host.netns.path(id), cgroup, null,
                null));
        host.runsc.run(id, bundle, log);
        long t3 = System.nanoTime();
        String ip = HostFixture.ip(eth0);
        String body = HostFixture.httpGet(ip, 8000);
        long t4 = System.nanoTime();

        assertThat(body).isEqualTo("Hello World!\n");
        List<RunscContainer> list = host.runsc.list();
        assertThat(list).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo(id);
            assertThat(c.isRunning()).isTrue();
            assertThat(c.bundle()).isEqualTo(bundle);
            assertThat(new ProcFs().isRunning(c.pid())).isTrue();
        });
        assertThat(host.runsc.state(id)).contains(list.get(0));
        Cgroups.Usage usage = new Cgroups().usage(cgroup).orElseThrow();
        assertThat(usage.memoryBytes()).isPositive();

        int pid = list.get(0).pid();
        long t5 = System.nanoTime();
        host.runsc.kill(id, "TERM");
        boolean stopped = host.runsc.waitStopped(pid, Duration.ofSeconds(10));
        long t6 = System.nanoTime();
        host.runsc.delete(id);
        long t7 = System.nanoTime();
        host.cni.del(host.network(), id, host.netns.path(id), "eth0", eth0);
        host.cni.del(NetworkConfig.loopback(), id, host.netns.path(id), "lo", lo);
        host.netns.delete(id);
        long t8 = System.nanoTime();

        assertThat(stopped).isTrue();
        assertThat(host.runsc.list()).isEmpty();
        assertThat(host.runsc.state(id)).isEmpty();
        assertThat(new Cgroups().usage(cgroup)).isEmpty();
        assertThat(HostFixture.leasesOf(id)).isEmpty();
        assertThat(host.natRulesOf(id)).isEmpty();
        assertThat(host.netns.exists(id)).isFalse();
        // Idempotent teardown: every step again is a no-op.
        host.runsc.kill(id, "KILL");
        host.runsc.delete(id);
        host.netns.delete(id);

        System.out.printf("netns add %d ms; CNI ADD lo+bridge %d ms; bundle+runsc run %d ms; first HTTP answer %d ms;"
                + " kill+wait %d ms; delete %d ms; CNI DEL+netns delete %d ms%n",
                ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, t4), ms(t5, t6), ms(t6, t7), ms(t7, t8));
    }

    @Test
    void aFailedRunCarriesRunscsOwnErrorAndTheContainerCanStillBeDeleted() throws Exception {
        Path rootfs = host.busyboxRootfs();
        String id = host.newId();
        host.netns.create(id);
        Path bundle = tmp.resolve("bundles").resolve(id);
        Path log = tmp.resolve("web.log");
        Files.writeString(log, "output of an earlier incarnation\n");
        String cgroup = HostFixture.CGROUP_PARENT + "/" + id;
        new BundleWriter().write(bundle, new BundleParams(id, httpd(rootfs), tmp.resolve("no-such-rootfs"),
                host.netns.path(id), cgroup, null, null));

        // This runsc only says "cannot create sandbox: ... EOF" for a missing rootfs; the message
        // carries what runsc wrote during this call, and nothing older.
        assertThatThrownBy(() -> host.runsc.run(id, bundle, log))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("runsc run of sandbox " + id + " failed (exit 128): ")
                .hasMessageContaining("creating container")
                .hasMessageNotContaining("earlier incarnation");

        host.runsc.kill(id, "KILL");
        host.runsc.delete(id);
        assertThat(host.runsc.state(id)).isEmpty();
        // runsc made the cgroup before failing and, knowing no container, never removes it.
        assertThat(new Cgroups().remove(cgroup)).isPositive();
        assertThat(new Cgroups().usage(cgroup)).isEmpty();
    }

    @Test
    void killAndDeleteOfAnUnknownContainerSucceed() throws Exception {
        String id = host.newId();

        host.runsc.kill(id, "KILL");
        host.runsc.delete(id);
        assertThat(host.runsc.list()).isEmpty();
        assertThat(host.runsc.state(id)).isEmpty();
    }

    private static long ms(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
