package dev.sandlot.host;

import static dev.sandlot.host.RecordingProcessRunner.appendToOutputFile;
import static dev.sandlot.host.RecordingProcessRunner.fail;
import static dev.sandlot.host.RecordingProcessRunner.ok;
import static dev.sandlot.host.RecordingProcessRunner.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunscTest {
    private static final String ID = "sandlot-web.0a1b2c3d";
    private static final String NOT_FOUND = "loading container \"" + ID + "\": file does not exist\n";

    @TempDir
    Path dir;

    private final RecordingProcessRunner runner = new RecordingProcessRunner();

    private Runsc runsc() {
        return new Runsc(runner, "/usr/bin/runsc", Path.of("/run/sandlot/runsc"), List.of("--network=host"),
                new ProcFs(dir.resolve("proc")), Duration.ofSeconds(7));
    }

    @Test
    void everyCallGetsRootFlagsDoubleDashAndOnlyAPath() throws HostException {
        runner.whenArgv("kill").thenReturn(ok(""));

        runsc().kill(ID, "TERM");

        ExecRequest r = runner.only();
        assertThat(r.argv()).containsExactly("/usr/bin/runsc", "--root", "/run/sandlot/runsc", "--network=host",
                "kill", "--", ID, "TERM");
        assertThat(r.env()).isEqualTo(Map.of("PATH", ExecRequest.DEFAULT_PATH));
        assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void listParsesContainers() throws HostException {
        runner.whenArgv("list", "--format", "json").thenReturn(ok("[{\"ociVersion\":\"1.0.2-dev\",\"id\":\"" + ID
                + "\",\"status\":\"running\",\"pid\":3032,\"bundle\":\"/var/lib/sandlot/bundles/x\"},"
                + "{\"ociVersion\":\"1.0.2-dev\",\"id\":\"b\",\"status\":\"stopped\",\"pid\":-1,\"bundle\":\"/b\","
                + "\"created\":\"2026-01-01T00:00:00Z\",\"owner\":\"\"}]\n"));

        List<RunscContainer> list = runsc().list();

        assertThat(list).containsExactly(
                new RunscContainer(ID, 3032, "running", Path.of("/var/lib/sandlot/bundles/x")),
                new RunscContainer("b", -1, "stopped", Path.of("/b")));
        assertThat(list.get(0).isRunning()).isTrue();
        assertThat(list.get(1).isStopped()).isTrue();
        assertThat(runner.only().argv()).containsExactly("/usr/bin/runsc", "--root", "/run/sandlot/runsc",
                "--network=host", "list", "--format", "json");
    }

    @Test
    void listOfNothingIsNull() throws HostException {
        runner.whenArgv("list").thenReturn(ok("null\n"));

        assertThat(runsc().list()).isEmpty();
    }

    @Test
    void listGarbageOrFailureIsAnError() {
        runner.whenArgv("list").thenReturn(ok("ID PID STATUS\n"), ok(""), ok("{\"id\":1}"), fail(128, "boom"));

        assertThatThrownBy(() -> runsc().list()).isInstanceOf(HostException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> runsc().list()).isInstanceOf(HostException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> runsc().list()).isInstanceOf(HostException.class).hasMessageContaining("not a list");
        assertThatThrownBy(() -> runsc().list()).isInstanceOf(HostException.class)
                .hasMessageContaining("exit 128").hasMessageContaining("boom");
    }

    @Test
    void stateOfAMissingContainerIsEmpty() throws HostException {
        runner.whenArgv("state").thenReturn(fail(128, NOT_FOUND));

        assertThat(runsc().state(ID)).isEmpty();
    }

    @Test
    void runDetachesWithTheBundleAndAppendsToTheLog() throws HostException, IOException {
        Path log = dir.resolve("web.log");
        runner.whenArgv("run").thenReturn(appendToOutputFile(0, ""));

        runsc().run(ID, Path.of("/var/lib/sandlot/bundles/" + ID), log);

        ExecRequest r = runner.only();
        assertThat(r.argv()).containsExactly("/usr/bin/runsc", "--root", "/run/sandlot/runsc", "--network=host",
                "run", "-detach", "-bundle", "/var/lib/sandlot/bundles/" + ID, "--", ID);
        assertThat(r.outputFile()).isEqualTo(log);
        assertThat(r.stdin()).isNull();
    }

    @Test
    void aFailedRunReportsOnlyWhatRunscWroteDuringThisCallWithoutControlCharacters() throws IOException {
        Path log = dir.resolve("web.log");
        Files.writeString(log, "old output of the previous incarnation\n");
        runner.whenArgv("run").thenReturn(appendToOutputFile(128,
                "\u001b[31mcreating container: cannot run with network enabled in root network namespace\u0007\n"));

        assertThatThrownBy(() -> runsc().run(ID, dir.resolve("bundle"), log))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("runsc run of sandbox " + ID + " failed (exit 128)")
                .hasMessageContaining("cannot run with network enabled in root network namespace")
                .hasMessageNotContaining("previous incarnation")
                .hasMessageNotContaining("\u001b")
                .hasMessageNotContaining("\u0007");
    }

    @Test
    void theRunErrorInTheMessageIsBounded() throws IOException {
        Path log = dir.resolve("web.log");
        runner.whenArgv("run").thenReturn(appendToOutputFile(1, "x".repeat(100_000) + "the end\n"));

        assertThatThrownBy(() -> runsc().run(ID, dir.resolve("bundle"), log))
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(6000))
                .hasMessageContaining("the end");
    }

    @Test
    void aRunThatTimesOutSaysSo() {
        runner.whenArgv("run").thenReturn(timeout());

        assertThatThrownBy(() -> runsc().run(ID, dir.resolve("bundle"), dir.resolve("log")))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("timed out");
    }

    @Test
    void killOfAMissingContainerIsSuccess() throws HostException {
        runner.whenArgv("kill").thenReturn(fail(128, "loading container: file does not exist"));
        runner.whenArgv("state").thenReturn(fail(128, NOT_FOUND));

        runsc().kill(ID, "KILL");
    }

    @Test
    void killOfAStoppedContainerIsSuccess() throws HostException {
        runner.whenArgv("kill").thenReturn(fail(128, "connecting to control server at PID 4379: connection refused"));
        runner.whenArgv("state").thenReturn(ok("{\"id\":\"" + ID + "\",\"status\":\"stopped\",\"pid\":-1}"));

        runsc().kill(ID, "TERM");
    }

    @Test
    void killOfAContainerWhoseProcessIsAZombieIsSuccess() throws HostException, IOException {
        ProcFsTest.writeStat(dir.resolve("proc"), 4379, "runsc-sandbox", 'Z');
        runner.whenArgv("kill").thenReturn(fail(128, "connection refused"));
        runner.whenArgv("state").thenReturn(ok("{\"id\":\"" + ID + "\",\"status\":\"running\",\"pid\":4379}"));

        runsc().kill(ID, "TERM");
    }

    @Test
    void killThatFailsWhileTheSandboxStillRunsIsAnError() throws IOException {
        ProcFsTest.writeStat(dir.resolve("proc"), 4379, "runsc-sandbox", 'S');
        runner.whenArgv("kill").thenReturn(fail(128, "permission denied"));
        runner.whenArgv("state").thenReturn(ok("{\"id\":\"" + ID + "\",\"status\":\"running\",\"pid\":4379}"));

        assertThatThrownBy(() -> runsc().kill(ID, "TERM"))
                .isInstanceOf(HostException.class)
                .hasMessageContaining(ID)
                .hasMessageContaining("permission denied")
                .hasMessageContaining("still running");
    }

    @Test
    void deleteOfAMissingContainerIsSuccess() throws HostException {
        runner.whenArgv("delete").thenReturn(fail(128, NOT_FOUND));

        runsc().delete(ID);

        assertThat(runner.commandLines()).hasSize(1);
    }

    @Test
    void deleteOfARunningContainerIsRetriedWithForce() throws HostException {
        runner.whenArgv("delete", "--", ID).thenReturn(
                fail(128, "cannot delete container that is not stopped without --force flag"));
        runner.whenArgv("delete", "-force", "--", ID).thenReturn(ok(""));

        runsc().delete(ID);

        assertThat(runner.argvs()).extracting(a -> a.subList(4, a.size())).containsExactly(
                List.of("delete", "--", ID),
                List.of("delete", "-force", "--", ID));
    }

    @Test
    void deleteThatCannotRemoveTheContainerIsAnError() {
        runner.whenArgv("delete").thenReturn(fail(128, "cgroup busy"));
        runner.whenArgv("state").thenReturn(ok("{\"id\":\"" + ID + "\",\"status\":\"stopped\",\"pid\":-1}"));

        assertThatThrownBy(() -> runsc().delete(ID))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("runsc delete -force " + ID)
                .hasMessageContaining("cgroup busy");
    }

    @Test
    void waitStoppedReturnsWhenTheProcessIsGoneOrAZombie() throws IOException {
        Path proc = dir.resolve("proc");
        ProcFsTest.writeStat(proc, 10, "runsc-sandbox", 'Z');
        ProcFsTest.writeStat(proc, 11, "runsc-sandbox", 'S');

        assertThat(runsc().waitStopped(10, Duration.ofSeconds(5))).isTrue();
        assertThat(runsc().waitStopped(12, Duration.ofSeconds(5))).isTrue();
        long start = System.nanoTime();
        assertThat(runsc().waitStopped(11, Duration.ofMillis(100))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(100),
                Duration.ofSeconds(3));
    }

    @Test
    void waitStoppedSeesAProcessTurnIntoAZombie() throws Exception {
        Path proc = dir.resolve("proc");
        ProcFsTest.writeStat(proc, 11, "runsc-sandbox", 'S');
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(50);
                ProcFsTest.writeStat(proc, 11, "runsc-sandbox", 'Z');
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        later.start();

        assertThat(runsc().waitStopped(11, Duration.ofSeconds(5))).isTrue();
        later.join();
    }

    @Test
    void badIdsSignalsAndFlagsAreRejectedBeforeAnythingRuns() {
        assertThatThrownBy(() -> runsc().kill("-x", "TERM")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> runsc().delete("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> runsc().kill(ID, "TERM; rm")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Runsc(runner, "runsc", dir, List.of("delete")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(runner.requests()).isEmpty();
    }
}
