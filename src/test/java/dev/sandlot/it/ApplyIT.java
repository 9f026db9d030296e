package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** `sandlot apply / plan / status / down` against real runsc, CNI plugins and netns (issue 3). */
class ApplyIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestHost host;
    private TestHost.Counts baseline;

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost("ap", 214);
        baseline = host.counts();
    }

    @AfterEach
    void tearDown() throws Exception {
        host.close();
    }

    private Map<String, JsonNode> status() throws Exception {
        TestHost.Run run = host.sandlot("status", "--json");
        assertThat(run.exit()).as(run.err()).isZero();
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode row : JSON.readTree(run.out())) {
            byName.put(row.get("name").asText(), row);
        }
        return byName;
    }

    private TestHost.Run apply() {
        TestHost.Run run = host.sandlot("apply");
        assertThat(run.exit()).as("apply output:\n" + run.out() + run.err()).isZero();
        return run;
    }

    @Test
    void convergesThreeSandboxesReplacesOnSpecChangeAndRemovesWithoutLeaks() throws Exception {
        for (String name : new String[] {"web1", "web2", "web3"}) {
            host.writeManifest(name, "v1");
        }
        apply();

        Map<String, JsonNode> status = status();
        assertThat(status).containsOnlyKeys("web1", "web2", "web3");
        for (JsonNode row : status.values()) {
            assertThat(row.get("phase").asText()).isEqualTo("Running");
            assertThat(row.get("pid").asInt()).isPositive();
            assertThat(TestHost.httpGet(row.get("ip").asText())).isEqualTo("Hello World!\n");
        }
        assertThat(host.sandlot("plan").exit()).isZero();

        // A spec change replaces exactly that sandbox; the others keep their pids and IPs.
        host.writeManifest("web2", "v2");
        TestHost.Run plan = host.sandlot("plan");
        assertThat(plan.exit()).isEqualTo(2);
        assertThat(plan.out()).contains("replace  web2 (spec changed)").doesNotContain("web1").doesNotContain("web3");
        apply();
        Map<String, JsonNode> after = status();
        assertThat(after.get("web1").get("pid")).isEqualTo(status.get("web1").get("pid"));
        assertThat(after.get("web3").get("pid")).isEqualTo(status.get("web3").get("pid"));
        assertThat(after.get("web1").get("ip")).isEqualTo(status.get("web1").get("ip"));
        assertThat(after.get("web2").get("id")).isNotEqualTo(status.get("web2").get("id"));
        assertThat(TestHost.httpGet(after.get("web2").get("ip").asText())).isEqualTo("Hello World!\n");

        // Removing a manifest removes its sandbox, with nothing left behind for it.
        Files.delete(host.manifests.resolve("web3.yaml"));
        apply();
        assertThat(status()).containsOnlyKeys("web1", "web2");
        TestHost.Counts two = host.counts();
        assertThat(two.netns()).isEqualTo(baseline.netns() + 2);
        assertThat(two.leases()).isEqualTo(baseline.leases() + 2);
        assertThat(two.runscContainers()).isEqualTo(2);
        assertThat(two.records()).isEqualTo(2);
        assertThat(two.veths()).isEqualTo(2);

        // down --all: zero of everything.
        TestHost.Run down = host.sandlot("down", "--all");
        assertThat(down.exit()).as(down.out() + down.err()).isZero();
        assertThat(host.counts()).isEqualTo(baseline);
    }

    @Test
    void recreatesASandboxKilledFromOutsideAndOneWhoseNetnsWasDeleted() throws Exception {
        host.writeManifest("victim", "v1");
        host.writeManifest("netless", "v1");
        host.writeManifest("bystander", "v1");
        apply();
        Map<String, JsonNode> before = status();

        TestHost.sh("kill", "-9", before.get("victim").get("pid").asText());
        TestHost.sh("ip", "netns", "delete", before.get("netless").get("id").asText());

        TestHost.Run run = apply();
        assertThat(run.out()).contains("victim").contains("netless").doesNotContain("bystander");
        Map<String, JsonNode> after = status();
        assertThat(after.get("bystander").get("pid")).isEqualTo(before.get("bystander").get("pid"));
        for (String name : new String[] {"victim", "netless"}) {
            assertThat(after.get(name).get("phase").asText()).isEqualTo("Running");
            assertThat(after.get(name).get("id")).isNotEqualTo(before.get(name).get("id"));
            assertThat(TestHost.httpGet(after.get(name).get("ip").asText())).isEqualTo("Hello World!\n");
        }
        TestHost.Counts counts = host.counts();
        assertThat(counts.leases()).isEqualTo(baseline.leases() + 3);
        assertThat(counts.natRules()).as("one jump rule + two chain rules per sandbox").isEqualTo(9);
        assertThat(counts.veths()).isEqualTo(3);

        assertThat(host.sandlot("down", "--all").exit()).isZero();
        assertThat(host.counts()).isEqualTo(baseline);
    }

    @Test
    void secondApplyWhileOneHoldsTheLockExitsOneAndChangesNothing() throws Exception {
        host.writeManifest("solo", "v1");
        try (var lock = dev.sandlot.control.RunLock.acquire(host.runDir)) {
            TestHost.Run run = host.sandlot("apply");
            assertThat(run.exit()).isEqualTo(1);
            assertThat(run.err()).contains("another sandlot");
        }
        assertThat(host.counts()).isEqualTo(baseline);
    }
}
