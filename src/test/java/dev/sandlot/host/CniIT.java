package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real network namespaces and the real bridge, host-local and loopback plugins. */
@Timeout(120)
class CniIT {
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

    @Test
    void netnsCreateAndDeleteAreIdempotent() throws Exception {
        String id = host.newId();

        host.netns.create(id);
        host.netns.create(id);
        assertThat(host.netns.exists(id)).isTrue();
        assertThat(host.netns.list("sltest-host.")).contains(id);

        host.netns.delete(id);
        host.netns.delete(id);
        assertThat(host.netns.exists(id)).isFalse();
    }

    @Test
    void addGivesAnAddressAndDelFreesTheLeaseAndTheNatChain() throws Exception {
        String id = host.newId();
        host.netns.create(id);
        NetworkConfig net = host.network();

        long start = System.nanoTime();
        JsonNode lo = host.add(NetworkConfig.loopback(), id, "lo");
        JsonNode result = host.add(net, id, "eth0");
        System.out.printf("CNI ADD loopback + bridge: %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertThat(lo.get("interfaces").get(0).get("name").asText()).isEqualTo("lo");
        String ip = HostFixture.ip(result);
        assertThat(ip).startsWith("10.213.0.");
        assertThat(HostFixture.leasesOf(id)).singleElement()
                .satisfies(lease -> assertThat(lease.getFileName().toString()).isEqualTo(ip));
        assertThat(host.natRulesOf(id)).isNotEmpty();

        start = System.nanoTime();
        host.cni.del(net, id, host.netns.path(id), "eth0", result);
        host.cni.del(NetworkConfig.loopback(), id, host.netns.path(id), "lo", lo);
        System.out.printf("CNI DEL bridge + loopback: %d ms%n", (System.nanoTime() - start) / 1_000_000);

        assertThat(HostFixture.leasesOf(id)).isEmpty();
        assertThat(host.natRulesOf(id)).isEmpty();

        // RELIABILITY C18: DEL again, with the recorded result or without one, still succeeds.
        host.cni.del(net, id, host.netns.path(id), "eth0", result);
        host.cni.del(net, id, host.netns.path(id), "eth0", null);
        host.cni.del(NetworkConfig.loopback(), id, host.netns.path(id), "lo", lo);
    }

    @Test
    void delReplaysTheRecordedBytesEvenAfterTheFileChanged() throws Exception {
        String id = host.newId();
        host.netns.create(id);
        NetworkConfig atAdd = host.network();
        JsonNode result = host.add(atAdd, id, "eth0");
        byte[] record = atAdd.bytes();

        Files.writeString(host.confDir.resolve("10-" + HostFixture.NETWORK + ".conflist"), "{ broken by an edit");
        host.cni.del(NetworkConfig.parse(record, "record of " + id), id, host.netns.path(id), "eth0", result);

        assertThat(HostFixture.leasesOf(id)).isEmpty();
        assertThat(host.natRulesOf(id)).isEmpty();
    }

    @Test
    void delWithTheNetnsGoneFreesTheLeaseAndIptablesRemovesTheLeftoverChain() throws Exception {
        String id = host.newId();
        host.netns.create(id);
        NetworkConfig net = host.network();
        JsonNode result = host.add(net, id, "eth0");
        assertThat(host.natRulesOf(id)).isNotEmpty();

        host.netns.delete(id);
        host.cni.del(net, id, host.netns.path(id), "eth0", result);
        host.cni.del(NetworkConfig.loopback(), id, host.netns.path(id), "lo", null);

        assertThat(HostFixture.leasesOf(id)).isEmpty();
        // DESIGN.md §6: the bridge plugin cannot find the address to un-masquerade without the netns.
        assertThat(host.natRulesOf(id)).isNotEmpty();

        int removed = host.iptables.removeChainsFor(id);

        assertThat(removed).isGreaterThanOrEqualTo(2);
        assertThat(host.natRulesOf(id)).isEmpty();
        assertThat(host.iptables.removeChainsFor(id)).isZero();
    }

    @Test
    void aChainThatFailsHalfWayLeavesAnAttachmentThatDelStillFrees() throws Exception {
        String id = host.newId();
        host.netns.create(id);
        NetworkConfig net = NetworkConfig.parse(Files.readString(host.confDir.resolve("10-" + HostFixture.NETWORK
                + ".conflist")).replace("\"plugins\": [", "\"plugins\": [{\"type\": \"sltest-no-such-plugin\"},")
                .replace("\"plugins\": [{\"type\": \"sltest-no-such-plugin\"},", "\"plugins\": [")
                .replace("]\n}", ", {\"type\": \"sltest-no-such-plugin\"}]\n}")
                .getBytes(StandardCharsets.UTF_8), "test");
        assertThat(net.plugins()).hasSize(2);

        // Not recorded for cleanup (its DEL can never fully succeed); the fixture still removes the
        // netns, the lease and the NAT chain of this id if an assertion fails.
        assertThatThrownBy(() -> host.cni.add(net, id, host.netns.path(id), "eth0", Map.of()))
                .isInstanceOf(CniException.class)
                .hasMessageContaining("plugin 'sltest-no-such-plugin' not found");
        assertThat(HostFixture.leasesOf(id)).hasSize(1);

        // The missing plugin fails DEL too, but the bridge's DEL still runs and frees everything.
        assertThatThrownBy(() -> host.cni.del(net, id, host.netns.path(id), "eth0", null))
                .isInstanceOf(CniException.class);
        assertThat(HostFixture.leasesOf(id)).isEmpty();
        assertThat(host.natRulesOf(id)).isEmpty();
    }

    @Test
    void aBrokenNetworkConfigIsTheBridgesOwnCniError() throws Exception {
        String id = host.newId();
        host.netns.create(id);
        NetworkConfig broken = NetworkConfig.parse(HostFixture.conflist(HostFixture.NETWORK_2, HostFixture.BRIDGE_2,
                "not-a-subnet").getBytes(StandardCharsets.UTF_8), "test");
        try {
            // Not recorded for cleanup: DEL with a config that never parses can never succeed.
            assertThatThrownBy(() -> host.cni.add(broken, id, host.netns.path(id), "eth0", Map.of()))
                    .isInstanceOfSatisfying(CniException.class, e -> {
                        assertThat(e.code()).isEqualTo(999);
                        assertThat(e.cniMsg()).contains("invalid CIDR address: not-a-subnet");
                    });
            assertThat(HostFixture.leasesOf(HostFixture.LEASES.resolveSibling(HostFixture.NETWORK_2), id)).isEmpty();
        } finally {
            host.netns.delete(id);
            HostFixture.removeBridge(HostFixture.BRIDGE_2);
        }
    }

    /**
     * A quirk of bridge 1.1.1 on this kernel: a bridge left without ports and without its gateway
     * address (here by an ADD that failed at IPAM) makes the next ADD fail half-way with "could not
     * set bridge's mac". The lease is freed, DEL then trips over a NAT chain that was never made
     * ("does not exist", treated as done), and a retried ADD succeeds: the bridge has its address.
     */
    @Test
    void aLeftoverBridgeWithoutAddressFailsOneAddThenARetryWorks() throws Exception {
        Path leases = HostFixture.LEASES.resolveSibling(HostFixture.NETWORK_2);
        NetworkConfig broken = NetworkConfig.parse(HostFixture.conflist(HostFixture.NETWORK_2, HostFixture.BRIDGE_2,
                "not-a-subnet").getBytes(StandardCharsets.UTF_8), "broken");
        NetworkConfig good = NetworkConfig.parse(HostFixture.conflist(HostFixture.NETWORK_2, HostFixture.BRIDGE_2,
                HostFixture.SUBNET_2).getBytes(StandardCharsets.UTF_8), "good");
        try {
            String first = host.newId();
            host.netns.create(first);
            assertThatThrownBy(() -> host.cni.add(broken, first, host.netns.path(first), "eth0", Map.of()))
                    .isInstanceOf(CniException.class);
            host.netns.delete(first);
            // The kernel tears a deleted netns down asynchronously: wait until its veth left the bridge.
            Path ports = Path.of("/sys/class/net", HostFixture.BRIDGE_2, "brif");
            for (int i = 0; i < 100 && hasEntries(ports); i++) {
                Thread.sleep(20);
            }

            String id = host.newId();
            host.netns.create(id);
            CniException halfWay = null;
            try {
                JsonNode result = host.add(good, id, "eth0");
                System.out.println("bridge quirk did not show on this host; ADD gave " + HostFixture.ip(result));
            } catch (CniException e) {
                halfWay = e;
                assertThat(e.cniMsg()).contains("could not set bridge's mac");
                assertThat(HostFixture.leasesOf(leases, id)).isEmpty();
                host.cni.del(good, id, host.netns.path(id), "eth0", null);
            }
            if (halfWay != null) {
                JsonNode retried = host.add(good, id, "eth0");
                assertThat(HostFixture.ip(retried)).startsWith("10.213.1.");
                assertThat(HostFixture.leasesOf(leases, id)).hasSize(1);
            }
            host.cni.del(good, id, host.netns.path(id), "eth0", null);
            assertThat(HostFixture.leasesOf(leases, id)).isEmpty();
            assertThat(host.natRulesOf(id)).isEmpty();
        } finally {
            host.close();
            HostFixture.removeBridge(HostFixture.BRIDGE_2);
        }
    }

    private static boolean hasEntries(Path dir) throws java.io.IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        }
    }
}
