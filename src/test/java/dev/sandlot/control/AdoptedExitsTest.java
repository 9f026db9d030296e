package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.ProcFs;
import dev.sandlot.host.RunscContainer;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.state.SandboxId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Adopted sandboxes' ends, read from a fake /proc: gone, zombie, or the pid reused by another process. */
class AdoptedExitsTest {
    static final int DAEMON = 500;

    @TempDir
    Path proc;

    private final Random random = new Random(7);
    private final List<SandboxId> ended = new ArrayList<>();

    private AdoptedExits exits() {
        return new AdoptedExits(new ProcFs(proc), DAEMON);
    }

    @Test
    void anAdoptedSandboxThatEndsIsReportedOnce() throws IOException {
        SandboxId web = SandboxId.newFor("web", random);
        process(100, 1, 'S', 1111);
        AdoptedExits exits = exits();
        exits.track(observed(Map.of(100, web)), ended::add);

        exits.check(ended::add);
        assertThat(ended).as("still running").isEmpty();

        Files.delete(proc.resolve("100/stat"));
        exits.check(ended::add);
        exits.check(ended::add);
        assertThat(ended).containsExactly(web);
        assertThat(exits.size()).isZero();
    }

    @Test
    void aZombieHasEnded() throws IOException {
        SandboxId web = SandboxId.newFor("web", random);
        process(100, 1, 'S', 1111);
        AdoptedExits exits = exits();
        exits.track(observed(Map.of(100, web)), ended::add);

        process(100, 1, 'Z', 1111);
        exits.check(ended::add);
        assertThat(ended).containsExactly(web);
    }

    @Test
    void aPidReusedByAnotherProcessDoesNotFoolIt() throws IOException {
        SandboxId web = SandboxId.newFor("web", random);
        process(100, 1, 'S', 1111);
        AdoptedExits exits = exits();
        exits.track(observed(Map.of(100, web)), ended::add);

        process(100, 1, 'S', 2222); // same pid, a later process
        exits.check(ended::add);
        assertThat(ended).containsExactly(web);
    }

    @Test
    void theDaemonsOwnChildrenAreLeftToTheSubreaper() throws IOException {
        SandboxId mine = SandboxId.newFor("mine", random);
        process(200, DAEMON, 'S', 1111);
        AdoptedExits exits = exits();
        exits.track(observed(Map.of(200, mine)), ended::add);

        assertThat(exits.size()).isZero();

        AdoptedExits nobodyReaps = new AdoptedExits(new ProcFs(proc), 0);
        nobodyReaps.track(observed(Map.of(200, mine)), ended::add);
        assertThat(nobodyReaps.size()).as("without a subreaper every sandbox is watched").isEqualTo(1);
    }

    @Test
    void aSandboxAlreadyGoneWhenFirstSeenIsReportedAtTheNextCheck() {
        SandboxId web = SandboxId.newFor("web", random);
        AdoptedExits exits = exits();
        exits.track(observed(Map.of(100, web)), ended::add);

        exits.check(ended::add);
        assertThat(ended).containsExactly(web);
    }

    @Test
    void anEndSeenFirstByAnotherObservationIsReportedByIt() throws IOException {
        SandboxId web = SandboxId.newFor("web", random);
        process(100, 1, 'S', 1111);
        AdoptedExits exits = exits();
        exits.track(observed(Map.of(100, web)), ended::add);

        exits.track(observed(Map.of()), ended::add); // e.g. the status writer's observation
        exits.check(ended::add);

        assertThat(ended).containsExactly(web);
        assertThat(exits.size()).isZero();
    }

    @Test
    void stopsWatchingWhenReplacedOrNoLongerRunning() throws IOException {
        SandboxId web = SandboxId.newFor("web", random);
        SandboxId db = SandboxId.newFor("db", random);
        process(100, 1, 'S', 1111);
        process(101, 1, 'S', 1111);
        AdoptedExits exits = exits();
        exits.track(observed(Map.of(100, web, 101, db)), ended::add);
        assertThat(exits.size()).isEqualTo(2);

        exits.forget("web"); // the daemon started a new web
        exits.track(observed(Map.of(101, db)), ended::add);
        exits.track(observed(Map.of()), ended::add);
        assertThat(exits.size()).isZero();
        assertThat(ended).as("db no longer running is news; web was replaced by the daemon").containsExactly(db);

        Files.delete(proc.resolve("100/stat"));
        Files.delete(proc.resolve("101/stat"));
        exits.check(ended::add);
        assertThat(ended).containsExactly(db);
    }

    private void process(int pid, int ppid, char state, long startTime) throws IOException {
        Path dir = Files.createDirectories(proc.resolve(Integer.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (runsc-sandbox) " + state + " " + ppid
                + " 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0 " + startTime + " 123456 789 0\n");
    }

    private static Observation observed(Map<Integer, SandboxId> running) {
        Map<String, List<Incarnation>> byName = new LinkedHashMap<>();
        running.forEach((pid, id) -> byName.computeIfAbsent(id.name(), n -> new ArrayList<>())
                .add(new Incarnation(id, null, new RunscContainer(id.value(), pid, "running", null),
                        RuntimeState.RUNNING, true, List.of(), null, null)));
        return new Observation(byName, Instant.now());
    }
}
