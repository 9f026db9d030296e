package dev.sandlot.observe;

import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.host.HostException;
import dev.sandlot.host.Netns;
import dev.sandlot.host.ProcFs;
import dev.sandlot.host.RecordingProcessRunner;
import dev.sandlot.host.Runsc;
import dev.sandlot.plan.Fixtures;
import dev.sandlot.state.AttachmentRecord;
import dev.sandlot.state.ExitRecord;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObserverTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final SandboxId WEB = new SandboxId("sandlot-web.00000001");
    private static final SandboxId WEB_2 = new SandboxId("sandlot-web.00000002");
    private static final SandboxId DB = new SandboxId("sandlot-db.00000003");

    @TempDir
    Path dir;

    final RecordingProcessRunner runner = new RecordingProcessRunner();
    final Set<String> missingLinks = new HashSet<>();
    final KnownSandboxes known = new KnownSandboxes();
    StateStore state;
    Path netnsDir;
    Path proc;
    Path runscRoot;
    Observer observer;

    @BeforeEach
    void host() throws IOException {
        state = new StateStore(dir.resolve("state"));
        state.init();
        netnsDir = Files.createDirectories(dir.resolve("netns"));
        proc = Files.createDirectories(dir.resolve("proc"));
        runscRoot = dir.resolve("runsc");
        ProcFs procFs = new ProcFs(proc);
        observer = new Observer(state, new Runsc(runner, "runsc", runscRoot, List.of(), procFs, Duration.ofSeconds(5)),
                new Netns(runner, netnsDir), procFs, () -> name -> !missingLinks.contains(name),
                Clock.fixed(NOW, ZoneOffset.UTC), known);
        runsc("null");
    }

    private void runsc(String listJson) {
        runner.whenArgv("runsc", "--root", runscRoot.toString(), "list", "--format", "json").thenReturn(ok(listJson));
    }

    private static String container(SandboxId id, int pid, String status) {
        return "{\"id\":\"" + id + "\",\"pid\":" + pid + ",\"status\":\"" + status + "\",\"bundle\":\"/b/" + id + "\"}";
    }

    private void recorded(SandboxId id) throws IOException {
        state.writeSandbox(new SandboxRecord(StateStore.FORMAT, id.value(), id.name(), "hash-" + id,
                Fixtures.spec(id.name(), "v1", "mynet"), "/m/" + id.name() + ".yaml", NOW.minusSeconds(60), "boot"));
    }

    private void attached(SandboxId id, int index, String ifname, String resultJson) throws IOException {
        AttachmentRecord r = AttachmentRecord.beforeAdd(index, "mynet", ifname, "{}".getBytes(StandardCharsets.UTF_8));
        state.writeAttachment(id, resultJson == null ? r : r.withResult(JSON.readTree(resultJson)));
    }

    private void process(int pid, char state) throws IOException {
        Path d = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(d.resolve("stat"), pid + " (runsc-sandbox) " + state
                + " 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0 987654 123456 789 18446744073709551615\n");
    }

    private Incarnation only(Observation o, String name) {
        assertThat(o.of(name)).hasSize(1);
        return o.of(name).get(0);
    }

    private void quietList(SandboxId... ids) {
        StringBuilder out = new StringBuilder();
        for (SandboxId id : ids) {
            out.append(id.value()).append('\n');
        }
        runner.whenArgv("runsc", "--root", runscRoot.toString(), "list", "-quiet").thenReturn(ok(out.toString()));
    }

    /** A sandbox process as runsc starts it: its command line ends with the container id. */
    private void sandboxProcess(int pid, SandboxId id) throws IOException {
        process(pid, 'S');
        Files.write(proc.resolve(pid + "/cmdline"), ("runsc-sandbox\0--root=/r\0boot\0--bundle=/b\0" + id.value()
                + "\0").getBytes(StandardCharsets.UTF_8));
    }

    private void pidFile(SandboxId id, int pid) throws IOException {
        Files.writeString(state.pidFile(id), Integer.toString(pid));
    }

    private List<String> listCalls() {
        return runner.commandLines().stream().filter(l -> l.contains(" list")).map(l -> l.replaceAll(".* list", "list"))
                .toList();
    }

    @Test
    void theWholeHostCostsOneRunscListAndNothingElseRuns() throws Exception {
        recorded(WEB);
        recorded(DB);
        runsc("[" + container(WEB, 100, "running") + "," + container(DB, 101, "running") + "]");
        process(100, 'S');
        process(101, 'S');
        Files.createFile(netnsDir.resolve(WEB.value()));

        Observation o = observer.observe();

        assertThat(runner.commandLines()).containsExactly("runsc --root " + runscRoot + " list --format json");
        assertThat(o.byName()).containsOnlyKeys("db", "web");
        assertThat(o.at()).isEqualTo(NOW);
    }

    @Test
    void aLivePidIsRunningAndAZombieADeadOrAMissingPidHasExited() throws Exception {
        SandboxId zombie = new SandboxId("sandlot-zombie.00000004");
        SandboxId dead = new SandboxId("sandlot-dead.00000005");
        SandboxId vanished = new SandboxId("sandlot-vanished.00000006");
        SandboxId stopped = new SandboxId("sandlot-stopped.00000007");
        for (SandboxId id : List.of(WEB, zombie, dead, vanished, stopped, DB)) {
            recorded(id);
        }
        runsc("[" + String.join(",", container(WEB, 100, "running"), container(zombie, 101, "running"),
                container(dead, 102, "running"), container(vanished, 103, "running"),
                container(stopped, -1, "stopped")) + "]");
        process(100, 'S');
        process(101, 'Z');
        process(102, 'X');

        Observation o = observer.observe();

        assertThat(only(o, "web").runtime()).isEqualTo(RuntimeState.RUNNING);
        assertThat(only(o, "web").pid()).isEqualTo(100);
        assertThat(only(o, "zombie").runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(only(o, "zombie").pid()).isZero();
        assertThat(only(o, "dead").runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(only(o, "vanished").runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(only(o, "stopped").runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(only(o, "db").runtime()).as("unknown to runsc").isEqualTo(RuntimeState.ABSENT);
    }

    @Test
    void aContainerInOurRootWithoutARecordIsStillAnIncarnation() throws Exception {
        runsc("[" + container(WEB, 100, "running") + ","
                + "{\"id\":\"other-runtime-thing\",\"pid\":7,\"status\":\"running\"}]");
        process(100, 'S');

        Observation o = observer.observe();

        assertThat(o.byName()).containsOnlyKeys("web");
        Incarnation web = only(o, "web");
        assertThat(web.stored()).isNull();
        assertThat(web.specHash()).isNull();
        assertThat(web.runtime()).isEqualTo(RuntimeState.RUNNING);
    }

    @Test
    void incarnationsAreGroupedByNameAndTheNetnsIsSeenFromTheNetnsDir() throws Exception {
        recorded(WEB);
        recorded(WEB_2);
        Files.createFile(netnsDir.resolve(WEB_2.value()));
        Files.createFile(netnsDir.resolve("sandlot-stray.0000000a"));
        Files.createFile(netnsDir.resolve("cni-1234"));

        Observation o = observer.observe();

        assertThat(o.of("web")).extracting(Incarnation::id).containsExactly(WEB, WEB_2);
        assertThat(o.of("web")).extracting(Incarnation::netnsExists).containsExactly(false, true);
        assertThat(o.byName()).as("a netns without a record is not ours").containsOnlyKeys("web");
    }

    @Test
    void hostInterfacesNamedByCniResultsThatAreGoneAreReported() throws Exception {
        recorded(WEB);
        attached(WEB, 0, "lo", "{\"interfaces\":[{\"name\":\"lo\",\"sandbox\":\"/run/netns/x\"}]}");
        attached(WEB, 1, "eth0", "{\"interfaces\":[{\"name\":\"br0\"},{\"name\":\"veth1234\",\"mac\":\"aa\"},"
                + "{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"},{\"name\":\"../../etc\"},"
                + "{\"name\":\"waytoolonginterfacename\"}]}");
        attached(WEB, 2, "eth1", null);
        missingLinks.addAll(List.of("veth1234", "lo", "eth0"));

        Incarnation web = only(observer.observe(), "web");

        assertThat(web.missingHostInterfaces()).containsExactly("veth1234");
    }

    @Test
    void allHostInterfacesPresentMeansNoneMissing() throws Exception {
        recorded(WEB);
        attached(WEB, 1, "eth0", "{\"interfaces\":[{\"name\":\"br0\"},{\"name\":\"veth1234\"}]}");

        assertThat(only(observer.observe(), "web").missingHostInterfaces()).isEmpty();
    }

    @Test
    void aRecordedExitGivesTheExitCodeAndTime() throws Exception {
        recorded(WEB);
        Instant ended = NOW.minusSeconds(5);
        state.writeExit(WEB, new ExitRecord(3, ended));
        runsc("[" + container(WEB, 100, "running") + "]");
        process(100, 'Z');

        Incarnation web = only(observer.observe(), "web");

        assertThat(web.runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(web.exitCode()).isEqualTo(3);
        assertThat(web.exitedAt()).isEqualTo(ended);
    }

    @Test
    void aRunningSandboxHasNoExitTime() throws Exception {
        recorded(WEB);
        runsc("[" + container(WEB, 100, "running") + "]");
        process(100, 'S');

        Incarnation web = only(observer.observe(), "web");

        assertThat(web.exitCode()).isNull();
        assertThat(web.exitedAt()).isNull();
    }

    @Test
    void aFailedRunscListFailsTheObservationInsteadOfReportingNothingRunning() throws Exception {
        recorded(WEB);
        runner.whenArgv("runsc", "--root", runscRoot.toString(), "list").thenReturn(fail(1, "permission denied"));

        assertThatThrownBy(() -> observer.observe()).isInstanceOf(HostException.class)
                .hasMessageContaining("permission denied");
    }

    @Test
    void aGarbledRunscListFailsTheObservation() throws Exception {
        runsc("runsc: warning: something\n[]");

        assertThatThrownBy(() -> observer.observe()).isInstanceOf(HostException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void aCorruptRecordStillShowsItsIdWithoutASpec() throws Exception {
        recorded(WEB);
        Files.writeString(state.sandboxDir(WEB).resolve("sandbox.json"), "{");

        Incarnation web = only(observer.observe(), "web");

        assertThat(web.stored()).isNotNull();
        assertThat(web.stored().record()).isNull();
        assertThat(web.specHash()).isNull();
    }

    @Test
    void afterTheFirstFullListOnlyTheIdsAreListedAndRecordsAndProcTellTheRest() throws Exception {
        recorded(WEB);
        recorded(DB);
        pidFile(WEB, 100);
        pidFile(DB, 101);
        sandboxProcess(100, WEB);
        sandboxProcess(101, DB);
        runsc("[" + container(WEB, 100, "running") + "," + container(DB, 101, "running") + "]");
        quietList(WEB, DB);

        Observation first = observer.observe();
        Observation second = observer.observe();

        assertThat(listCalls()).containsExactly("list --format json", "list -quiet");
        for (Observation o : List.of(first, second)) {
            assertThat(only(o, "web").runtime()).isEqualTo(RuntimeState.RUNNING);
            assertThat(only(o, "web").pid()).isEqualTo(100);
            assertThat(only(o, "db").pid()).isEqualTo(101);
        }
    }

    @Test
    void fromTheIdsAloneADeadSandboxHasExitedAndAReusedPidIsNotTheSandbox() throws Exception {
        SandboxId reused = new SandboxId("sandlot-reused.00000008");
        for (SandboxId id : List.of(WEB, DB, reused)) {
            recorded(id);
        }
        pidFile(WEB, 100);
        pidFile(DB, 101);
        pidFile(reused, 102);
        sandboxProcess(100, WEB);
        sandboxProcess(101, DB);
        sandboxProcess(102, reused);
        runsc("[" + container(WEB, 100, "running") + "," + container(DB, 101, "running") + ","
                + container(reused, 102, "running") + "]");
        quietList(WEB, DB, reused);
        observer.observe();
        process(101, 'Z');
        // pid 102 ended and a new process got it: another start time and command line
        Files.writeString(proc.resolve("102/stat"), "102 (bash) S 1 4242 4242 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0 "
                + "999999 123456 789 18446744073709551615\n");
        Files.write(proc.resolve("102/cmdline"), "bash\0".getBytes(StandardCharsets.UTF_8));

        Observation o = observer.observe();

        assertThat(listCalls()).containsExactly("list --format json", "list -quiet");
        assertThat(only(o, "web").runtime()).isEqualTo(RuntimeState.RUNNING);
        assertThat(only(o, "db").runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(only(o, "reused").runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(only(o, "reused").pid()).isZero();
    }

    @Test
    void aSandboxNeitherStartedHereNorSeenRunningInAFullListCountsAsHalfMade() throws Exception {
        recorded(WEB);
        runsc("null");
        observer.observe();
        // An earlier process created it and died before `runsc run` returned: runsc would say "created".
        pidFile(WEB, 100);
        sandboxProcess(100, WEB);
        quietList(WEB);

        Incarnation web = only(observer.observe(), "web");

        assertThat(web.runtime()).isEqualTo(RuntimeState.EXITED);
        assertThat(web.container().status()).isEqualTo("created");
    }

    @Test
    void aSandboxThisProcessStartedRunsFromTheIdsAlone() throws Exception {
        runsc("null");
        observer.observe();
        recorded(WEB);
        pidFile(WEB, 100);
        sandboxProcess(100, WEB);
        known.started(WEB);
        quietList(WEB);

        Incarnation web = only(observer.observe(), "web");

        assertThat(listCalls()).containsExactly("list --format json", "list -quiet");
        assertThat(web.runtime()).isEqualTo(RuntimeState.RUNNING);
        assertThat(web.pid()).isEqualTo(100);
    }

    @Test
    void aListedContainerWithoutARecordMakesTheListFullAgain() throws Exception {
        runsc("null");
        observer.observe();
        quietList(WEB);
        runsc("[" + container(WEB, 100, "running") + "]");
        process(100, 'S');

        Incarnation web = only(observer.observe(), "web");

        assertThat(listCalls()).containsExactly("list --format json", "list -quiet", "list --format json");
        assertThat(web.stored()).isNull();
        assertThat(web.runtime()).isEqualTo(RuntimeState.RUNNING);
    }
}
