package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.ExecRequest;
import dev.sandlot.host.Netns;
import dev.sandlot.host.ProcFs;
import dev.sandlot.host.ProcessRunner;
import dev.sandlot.host.Runsc;
import dev.sandlot.host.SystemProcessRunner;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.KnownSandboxes;
import dev.sandlot.observe.Observation;
import dev.sandlot.observe.Observer;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.state.StateStore;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The observation from runsc's ids alone ({@code runsc list -quiet}, records and /proc) against the
 * full {@code runsc list --format json}, on real sandboxes: they agree on what runs, and a sandbox
 * killed from outside is seen as ended from the ids alone.
 */
class LeanObservationIT {
    private TestHost host;
    private final List<ExecRequest> calls = new CopyOnWriteArrayList<>();
    private final ProcessRunner counting = request -> {
        calls.add(request);
        return new SystemProcessRunner().run(request);
    };

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost("lean", 218);
    }

    @AfterEach
    void tearDown() throws Exception {
        host.close();
    }

    private Observer observer(KnownSandboxes known) {
        return new Observer(new StateStore(host.stateDir),
                new Runsc(counting, "runsc", host.runDir.resolve("runsc"), List.of("--network=host")),
                new Netns(counting), new ProcFs(), Clock.systemUTC(), known);
    }

    private static Incarnation only(Observation o, String name) {
        assertThat(o.of(name)).as("incarnations of " + name).hasSize(1);
        return o.of(name).get(0);
    }

    private List<String> listCalls() {
        return calls.stream().filter(c -> c.argv().contains("list")).map(c -> String.join(" ", c.argv())).toList();
    }

    @Test
    void theIdsAloneTellWhatTheFullListTellsAndSeeAKilledSandboxEnd() throws Exception {
        host.writeManifest("stays", "v1");
        host.writeManifest("victim", "v1");
        TestHost.Run apply = host.sandlot("apply");
        assertThat(apply.exit()).as(apply.out() + apply.err()).isZero();

        KnownSandboxes known = new KnownSandboxes();
        Observer lean = observer(known);
        Observation full = lean.observe();
        assertThat(listCalls()).hasSize(1).allMatch(c -> c.contains("--format json"));
        calls.clear();
        Observation fromIds = lean.observe();
        assertThat(listCalls()).hasSize(1).allMatch(c -> c.endsWith("list -quiet"));

        for (String name : List.of("stays", "victim")) {
            Incarnation f = only(full, name);
            Incarnation i = only(fromIds, name);
            assertThat(f.runtime()).isEqualTo(RuntimeState.RUNNING);
            assertThat(i.runtime()).as(name).isEqualTo(RuntimeState.RUNNING);
            assertThat(i.id()).isEqualTo(f.id());
            assertThat(i.pid()).as(name).isEqualTo(f.pid()).isPositive();
        }

        int victimPid = only(full, "victim").pid();
        TestHost.sh("kill", "-9", Integer.toString(victimPid));
        // Bounded: the process is gone (or a zombie, which counts as ended) within moments of SIGKILL.
        Observation after = fromIds;
        for (int i = 0; i < 100 && only(after, "victim").runtime() == RuntimeState.RUNNING; i++) {
            Thread.sleep(50);
            after = lean.observe();
        }
        assertThat(only(after, "victim").runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(only(after, "stays").runtime()).isEqualTo(RuntimeState.RUNNING);
        assertThat(only(after, "stays").pid()).isEqualTo(only(full, "stays").pid());
        assertThat(listCalls()).allMatch(c -> c.endsWith("list -quiet"));

        // A fresh process (no knowledge) lists in full and agrees once runsc sees the end too.
        Observation fresh = observer(new KnownSandboxes()).observe();
        for (int i = 0; i < 100 && only(fresh, "victim").runtime() == RuntimeState.RUNNING; i++) {
            Thread.sleep(50);
            fresh = observer(new KnownSandboxes()).observe();
        }
        assertThat(only(fresh, "victim").runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(only(fresh, "stays").runtime()).isEqualTo(RuntimeState.RUNNING);

        TestHost.Run down = host.sandlot("down", "--all");
        assertThat(down.exit()).as(down.out() + down.err()).isZero();
    }
}
