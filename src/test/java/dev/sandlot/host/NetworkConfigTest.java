package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkConfigTest {
    static final String CONFLIST = """
            {
              "cniVersion": "0.4.0",
              "name": "mynet",
              "plugins": [
                {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true,
                 "ipam": {"type": "host-local", "subnet": "10.22.0.0/16", "routes": [{"dst": "0.0.0.0/0"}]}},
                {"type": "portmap", "capabilities": {"portMappings": true}, "snat": true}
              ]
            }
            """;

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aConflistKeepsItsExactBytes() throws Exception {
        NetworkConfig net = NetworkConfig.parse(bytes(CONFLIST), "10-mynet.conflist");

        assertThat(net.name()).isEqualTo("mynet");
        assertThat(net.cniVersion()).isEqualTo("0.4.0");
        assertThat(net.plugins()).extracting(p -> p.get("type").asText()).containsExactly("bridge", "portmap");
        assertThat(net.bytes()).isEqualTo(bytes(CONFLIST));
        assertThat(net.file()).isNull();
    }

    @Test
    void aSinglePluginConfBecomesAOnePluginListThatReplaysToTheSame() throws Exception {
        String conf = """
                {"cniVersion": "0.3.1", "name": "mynet", "type": "bridge", "bridge": "cni0",
                 "ipam": {"type": "host-local", "subnet": "10.22.0.0/16"}}
                """;

        NetworkConfig net = NetworkConfig.parse(bytes(conf), "10-bridge.conf");
        NetworkConfig replayed = NetworkConfig.parse(net.bytes(), "record");

        assertThat(net.plugins()).hasSize(1);
        assertThat(new ObjectMapper().readTree(net.bytes()).get("plugins").get(0))
                .isEqualTo(new ObjectMapper().readTree(conf));
        assertThat(replayed.name()).isEqualTo("mynet");
        assertThat(replayed.cniVersion()).isEqualTo("0.3.1");
        assertThat(replayed.plugins()).isEqualTo(net.plugins());
        assertThat(replayed.bytes()).isEqualTo(net.bytes());
    }

    @Test
    void pluginTypesThatArePathsAreRejected() {
        for (String type : List.of("../../../bin/sh", "/bin/sh", "sub/bridge", "..", "a\\\\b", "bridge\\n", "")) {
            String conf = "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"" + type + "\"}]}";
            assertThatThrownBy(() -> NetworkConfig.parse(bytes(conf), "evil.conflist")).as(type)
                    .isInstanceOf(CniException.class)
                    .hasMessageContaining("evil.conflist");
        }
        assertThatThrownBy(() -> NetworkConfig.parse(
                bytes("{\"name\":\"n\",\"plugins\":[{\"type\":\"../../tmp/x\"}]}"), "evil.conflist"))
                .hasMessageContaining("CVE-2021-20206");
    }

    @Test
    void brokenConfigsAreRejectedWithTheirOrigin() {
        List<String> broken = List.of(
                "",
                "not json",
                "[]",
                "{\"cniVersion\":\"0.4.0\",\"plugins\":[{\"type\":\"bridge\"}]}",
                "{\"name\":\"bad name\",\"type\":\"bridge\"}",
                "{\"name\":\"-n\",\"type\":\"bridge\"}",
                "{\"name\":\"n\",\"plugins\":[]}",
                "{\"name\":\"n\",\"plugins\":{}}",
                "{\"name\":\"n\",\"plugins\":[42]}",
                "{\"name\":\"n\",\"plugins\":[{\"bridge\":\"x\"}]}",
                "{\"name\":\"n\"}",
                "{\"name\":\"n\",\"type\":\"bridge\",\"type\":\"../x\"}",
                "{\"name\":\"n\",\"type\":\"bridge\"} trailing",
                "{\"name\":7,\"type\":\"bridge\"}",
                "{\"name\":\"n\",\"type\":\"bridge\",\"capabilities\":[\"portMappings\"]}");
        for (String conf : broken) {
            assertThatThrownBy(() -> NetworkConfig.parse(bytes(conf), "x.conf")).as(conf)
                    .isInstanceOf(CniException.class)
                    .hasMessageStartingWith("x.conf");
        }
    }

    @Test
    void loopbackIsAOnePluginListNamedLo() {
        NetworkConfig lo = NetworkConfig.loopback();

        assertThat(lo.name()).isEqualTo("lo");
        assertThat(lo.cniVersion()).isEqualTo("0.3.1");
        assertThat(lo.plugins()).extracting(p -> p.get("type").asText()).containsExactly("loopback");
        assertThat(lo).isEqualTo(NetworkConfig.loopback());
    }

    @Test
    void bytesCannotBeChangedFromOutside() throws Exception {
        NetworkConfig net = NetworkConfig.parse(bytes(CONFLIST), "x");
        net.bytes()[0] = 'X';

        assertThat(net.bytes()).isEqualTo(bytes(CONFLIST));
    }
}
