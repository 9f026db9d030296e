package dev.sandlot.host;

import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IptablesTest {
    private static final String WEB = "sandlot-web.0a1b2c3d";
    private static final String WEB2 = "sandlot-web2.0a1b2c3d";

    /** What `iptables -t nat -S` prints with two sandboxes (and one lookalike id) on a bridge network. */
    static final String LISTING = """
            -P PREROUTING ACCEPT
            -P INPUT ACCEPT
            -P OUTPUT ACCEPT
            -P POSTROUTING ACCEPT
            -N CNI-1111111111111111aaaaaaaa
            -N CNI-2222222222222222bbbbbbbb
            -N CNI-3333333333333333cccccccc
            -N DOCKER
            -A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
            -A POSTROUTING -s 10.22.0.5/32 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-web.0a1b2c3d\\"" -j CNI-1111111111111111aaaaaaaa
            -A POSTROUTING -s 10.22.0.6/32 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-web2.0a1b2c3d\\"" -j CNI-2222222222222222bbbbbbbb
            -A POSTROUTING -s 10.22.0.7/32 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-web.0a1b2c3d-other\\"" -j CNI-3333333333333333cccccccc
            -A CNI-1111111111111111aaaaaaaa -d 10.22.0.0/16 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-web.0a1b2c3d\\"" -j ACCEPT
            -A CNI-1111111111111111aaaaaaaa ! -d 224.0.0.0/4 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-web.0a1b2c3d\\"" -j MASQUERADE
            -A CNI-2222222222222222bbbbbbbb -d 10.22.0.0/16 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-web2.0a1b2c3d\\"" -j ACCEPT
            -A CNI-2222222222222222bbbbbbbb ! -d 224.0.0.0/4 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-web2.0a1b2c3d\\"" -j MASQUERADE
            -A CNI-3333333333333333cccccccc ! -d 224.0.0.0/4 -m comment --comment "name: \\"mynet\\" id: \\"sandlot-web.0a1b2c3d-other\\"" -j MASQUERADE
            """;

    @Test
    void removesExactlyTheJumpRuleAndTheChainOfThatId() throws HostException {
        RecordingProcessRunner runner = new RecordingProcessRunner();
        runner.whenArgv("-S").thenReturn(ok(LISTING));
        runner.whenArgv("-D").thenReturn(ok(""));
        runner.whenArgv("-F").thenReturn(ok(""));
        runner.whenArgv("-X").thenReturn(ok(""));

        int removed = new Iptables(runner).removeChainsFor(WEB);

        assertThat(removed).isEqualTo(3);
        assertThat(runner.argvs()).containsExactly(
                List.of("iptables", "-w", "5", "-t", "nat", "-S"),
                List.of("iptables", "-w", "5", "-t", "nat", "-D", "POSTROUTING", "-s", "10.22.0.5/32", "-m", "comment",
                        "--comment", "name: \"mynet\" id: \"sandlot-web.0a1b2c3d\"", "-j",
                        "CNI-1111111111111111aaaaaaaa"),
                List.of("iptables", "-w", "5", "-t", "nat", "-F", "CNI-1111111111111111aaaaaaaa"),
                List.of("iptables", "-w", "5", "-t", "nat", "-X", "CNI-1111111111111111aaaaaaaa"));
        assertThat(runner.requests()).allSatisfy(r -> assertThat(r.env()).isEqualTo(ExecRequest.HOST_ENV));
    }

    @Test
    void aLookalikeIdIsNeverTouched() {
        Iptables.Cleanup web2 = Iptables.plan(LISTING, WEB2);

        assertThat(web2.chains()).containsOnlyKeys("CNI-2222222222222222bbbbbbbb");
        assertThat(web2.deletes()).singleElement().satisfies(r -> assertThat(r.spec()).contains("10.22.0.6/32"));
        assertThat(Iptables.plan(LISTING, "sandlot-web").deletes()).isEmpty();
        assertThat(Iptables.plan(LISTING, "sandlot-web").chains()).isEmpty();
        assertThat(Iptables.plan(LISTING, "0a1b2c3d").chains()).isEmpty();
    }

    @Test
    void aChainHoldingSomeoneElsesRuleIsNotDeletedOnlyOurRulesInIt() {
        String listing = LISTING + "-A CNI-1111111111111111aaaaaaaa -d 10.0.0.0/8 -j ACCEPT\n";

        Iptables.Cleanup plan = Iptables.plan(listing, WEB);

        assertThat(plan.chains()).isEmpty();
        assertThat(plan.deletes()).extracting(Iptables.Rule::chain).containsExactly("POSTROUTING",
                "CNI-1111111111111111aaaaaaaa", "CNI-1111111111111111aaaaaaaa");
    }

    @Test
    void nothingToRemoveRunsOnlyTheListing() throws HostException {
        RecordingProcessRunner runner = new RecordingProcessRunner();
        runner.whenArgv("-S").thenReturn(ok(LISTING));

        assertThat(new Iptables(runner).removeChainsFor("sandlot-gone.99999999")).isZero();
        assertThat(runner.requests()).hasSize(1);
    }

    @Test
    void portmapStyleCommentsAndChainsAreFoundToo() {
        String listing = """
                -N CNI-HOSTPORT-DNAT
                -N CNI-DN-5f2ab3c4d5e6f7a8b9c0d
                -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"mynet\\" id: \\"sandlot-web.0a1b2c3d\\"" -m multiport --dports 8080 -j CNI-DN-5f2ab3c4d5e6f7a8b9c0d
                -A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"mynet\\" id: \\"other\\"" -j CNI-DN-ffff
                -A CNI-DN-5f2ab3c4d5e6f7a8b9c0d -p tcp -m tcp --dport 8080 -m comment --comment "dnat name: \\"mynet\\" id: \\"sandlot-web.0a1b2c3d\\"" -j DNAT --to-destination 10.22.0.5:80
                """;

        Iptables.Cleanup plan = Iptables.plan(listing, WEB);

        assertThat(plan.chains()).containsExactly(Map.entry("CNI-DN-5f2ab3c4d5e6f7a8b9c0d", 1));
        assertThat(plan.deletes()).singleElement().satisfies(r -> assertThat(r.chain()).isEqualTo("CNI-HOSTPORT-DNAT"));
    }

    @Test
    void tokenizeUnquotesLikeIptablesSaveQuotes() {
        assertThat(Iptables.tokenize("-A X -m comment --comment \"a \\\"b\\\" c\\\\d\" -j ACCEPT"))
                .containsExactly("-A", "X", "-m", "comment", "--comment", "a \"b\" c\\d", "-j", "ACCEPT");
        assertThat(Iptables.tokenize("  -N   CNI-x  ")).containsExactly("-N", "CNI-x");
        assertThat(Iptables.tokenize("--comment \"\"")).containsExactly("--comment", "");
    }

    @Test
    void aFailingIptablesIsAClearError() {
        RecordingProcessRunner runner = new RecordingProcessRunner();
        runner.whenArgv("-S").thenReturn(fail(4, "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id:"
                + " Permission denied (you must be root)\n"));

        assertThatThrownBy(() -> new Iptables(runner).removeChainsFor(WEB))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("list the nat table")
                .hasMessageContaining("you must be root");
    }

    @Test
    void invalidIdsAreRejected() {
        RecordingProcessRunner runner = new RecordingProcessRunner();
        assertThatThrownBy(() -> new Iptables(runner).removeChainsFor("\" id: \"x")).isInstanceOf(
                IllegalArgumentException.class);
        assertThatThrownBy(() -> new Iptables(runner).removeChainsFor("")).isInstanceOf(IllegalArgumentException.class);
    }
}
