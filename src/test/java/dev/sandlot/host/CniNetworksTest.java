package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CniNetworksTest {
    @TempDir
    Path dir;

    private void write(String file, String content) throws IOException {
        Files.writeString(dir.resolve(file), content);
    }

    private static String list(String name, String type) {
        return "{\"cniVersion\":\"0.4.0\",\"name\":\"" + name + "\",\"plugins\":[{\"type\":\"" + type + "\"}]}";
    }

    @Test
    void findsANetworkByItsNameNotItsFileName() throws Exception {
        write("10-whatever.conflist", list("mynet", "bridge"));

        NetworkConfig net = new CniNetworks(dir).find("mynet");

        assertThat(net.name()).isEqualTo("mynet");
        assertThat(net.file()).isEqualTo(dir.resolve("10-whatever.conflist"));
        assertThat(net.bytes()).isEqualTo(Files.readAllBytes(dir.resolve("10-whatever.conflist")));
    }

    @Test
    void filesAreTakenInLexicalOrderAndTheFirstDeclarationWins() throws Exception {
        write("20-b.conflist", list("mynet", "macvlan"));
        write("10-a.conf", "{\"cniVersion\":\"0.3.1\",\"name\":\"mynet\",\"type\":\"bridge\"}");
        write("30-c.json", list("other", "ptp"));

        CniNetworks networks = new CniNetworks(dir);

        assertThat(networks.find("mynet").plugins().get(0).get("type").asText()).isEqualTo("bridge");
        assertThat(networks.find("mynet").cniVersion()).isEqualTo("0.3.1");
        assertThat(networks.find("other").file()).isEqualTo(dir.resolve("30-c.json"));
        assertThat(networks.all()).extracting(NetworkConfig::name).containsExactly("mynet", "mynet", "other");
    }

    @Test
    void otherFilesAndDirectoriesAreIgnored() throws Exception {
        write("10-a.conflist.bak", list("bak", "bridge"));
        write("10-a.yaml", list("yaml", "bridge"));
        Files.createDirectories(dir.resolve("sub.conflist"));
        write("99-lo.conf", "{\"cniVersion\":\"0.3.1\",\"name\":\"lo2\",\"type\":\"loopback\"}");

        assertThat(new CniNetworks(dir).all()).extracting(NetworkConfig::name).containsExactly("lo2");
    }

    @Test
    @Timeout(10)
    void aFifoNeverBlocksTheScan() throws Exception {
        Path fifo = dir.resolve("05-fifo.conflist");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        write("10-a.conflist", list("mynet", "bridge"));

        assertThat(new CniNetworks(dir).all()).extracting(NetworkConfig::name).containsExactly("mynet");
    }

    @Test
    void brokenFilesAreReportedPerFileAndDoNotHideTheOthers() throws Exception {
        write("01-broken.conflist", "{ not json");
        write("02-evil.conflist", list("evil", "../../bin/sh"));
        write("10-a.conflist", list("mynet", "bridge"));

        CniNetworks.Scan scan = new CniNetworks(dir).scan();

        assertThat(scan.networks()).extracting(NetworkConfig::name).containsExactly("mynet");
        assertThat(scan.errors()).containsOnlyKeys(dir.resolve("01-broken.conflist"), dir.resolve("02-evil.conflist"));
        assertThat(scan.errors().get(dir.resolve("02-evil.conflist"))).contains("CVE-2021-20206");
    }

    @Test
    void anUnknownNameSaysWhereItLookedWhatExistsAndWhatIsBroken() throws Exception {
        write("10-b.conflist", list("beta", "bridge"));
        write("20-a.conflist", list("alpha", "bridge"));
        write("30-x.conflist", "garbage");

        assertThatThrownBy(() -> new CniNetworks(dir).find("mynet"))
                .isInstanceOf(CniException.class)
                .hasMessageContaining("no CNI network named 'mynet' in " + dir)
                .hasMessageContaining("have: alpha, beta")
                .hasMessageContaining("30-x.conflist");
    }

    @Test
    void aMissingDirHasNoNetworks() throws Exception {
        CniNetworks networks = new CniNetworks(dir.resolve("missing"));

        assertThat(networks.all()).isEmpty();
        assertThatThrownBy(() -> networks.find("x")).hasMessageContaining("have: none");
    }

    @Test
    void anOversizedFileIsReportedNotRead() throws Exception {
        write("10-big.conflist", " ".repeat(2 << 20) + list("big", "bridge"));

        CniNetworks.Scan scan = new CniNetworks(dir).scan();

        assertThat(scan.networks()).isEmpty();
        assertThat(scan.errors().values()).singleElement().asString().contains("larger than");
    }

    @Test
    void theScanIsFreshEachTime() throws Exception {
        CniNetworks networks = new CniNetworks(dir);
        assertThat(networks.all()).isEmpty();

        write("10-a.conflist", list("mynet", "bridge"));

        assertThat(networks.all()).extracting(NetworkConfig::name).isEqualTo(List.of("mynet"));
    }
}
