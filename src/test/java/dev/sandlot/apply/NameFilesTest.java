package dev.sandlot.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** resolv.conf falls back from the manifest to the CNI result's DNS, then to the host's. */
class NameFilesTest {
    @TempDir
    Path dir;

    private Path hostResolv;
    private JsonNode cniWithDns;

    @BeforeEach
    void setUp() throws Exception {
        hostResolv = Files.writeString(dir.resolve("resolv.conf"),
                "# host\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch host.example\noptions ndots:2\n");
        cniWithDns = new ObjectMapper().readTree("{\"dns\": {\"nameservers\": [\"10.203.0.1\"],"
                + " \"search\": [\"cni.example\"], \"options\": [\"rotate\"]}}");
    }

    @Test
    void theManifestWinsOverTheCniResultAndTheHost() {
        String text = NameFiles.resolvConf(List.of("10.0.0.53"), List.of("corp.example"), List.of("ndots:1"),
                cniWithDns, hostResolv);

        assertThat(text).isEqualTo("# written by sandlot\nnameserver 10.0.0.53\nsearch corp.example\noptions ndots:1\n");
    }

    @Test
    void withoutManifestServersTheCniResultsDnsIsUsed() {
        String text = NameFiles.resolvConf(List.of(), List.of(), List.of(), cniWithDns, hostResolv);

        assertThat(text).isEqualTo("# written by sandlot\nnameserver 10.203.0.1\nsearch cni.example\noptions rotate\n");
    }

    @Test
    void manifestSearchesStayWhenTheServersComeFromTheCniResult() {
        String text = NameFiles.resolvConf(List.of(), List.of("corp.example"), List.of(), cniWithDns, hostResolv);

        assertThat(text).isEqualTo("# written by sandlot\nnameserver 10.203.0.1\nsearch corp.example\noptions rotate\n");
    }

    @Test
    void withoutManifestOrCniDnsTheHostsIsUsedWithoutLoopbackResolvers() throws Exception {
        JsonNode noDns = new ObjectMapper().readTree("{\"ips\": []}");

        assertThat(NameFiles.resolvConf(List.of(), List.of(), List.of(), noDns, hostResolv)).isEqualTo(
                "# written by sandlot\nnameserver 192.0.2.53\nsearch host.example\noptions ndots:2\n");
        assertThat(NameFiles.resolvConf(List.of(), List.of(), List.of(), null, hostResolv)).isEqualTo(
                "# written by sandlot\nnameserver 192.0.2.53\nsearch host.example\noptions ndots:2\n");
    }

    @Test
    void withoutAnyHostResolvConfTheFileHasNoServers() {
        assertThat(NameFiles.resolvConf(List.of(), List.of(), List.of(), null, dir.resolve("missing")))
                .isEqualTo("# written by sandlot\n");
    }

    @Test
    void hostsNamesTheSandboxOnItsIp() {
        assertThat(NameFiles.hosts("web", "10.203.0.2")).endsWith("10.203.0.2\tweb\n");
        assertThat(NameFiles.hosts("web", null)).endsWith("127.0.1.1\tweb\n");
    }
}
