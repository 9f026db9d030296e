package dev.sandlot.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.host.Cgroups;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsTest {
    @TempDir
    Path cgroupRoot;

    private String scrape(Metrics m) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        m.write(out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static SandboxStatus row(String name, Phase phase) {
        return new SandboxStatus(name, phase, null, null, null, 0, "", null, null, null, null, null, false, List.of());
    }

    private Metrics metrics(Map<String, String> cgroups) {
        return new Metrics(() -> cgroups, new Cgroups(cgroupRoot));
    }

    @Test
    void everyPhaseIsASeriesFromTheStart() throws IOException {
        String text = scrape(metrics(Map.of()));

        for (Phase p : Phase.values()) {
            assertThat(text).contains("sandlot_sandboxes{phase=\"" + p + "\"} 0.0");
        }
    }

    @Test
    void phasesCountTheRowsOfEach() throws IOException {
        Metrics m = metrics(Map.of());

        m.phases(List.of(row("a", Phase.Running), row("b", Phase.Running), row("c", Phase.Failed)));
        m.phases(List.of(row("a", Phase.Running), row("b", Phase.Running), row("c", Phase.Pending)));

        String text = scrape(m);
        assertThat(text).contains("sandlot_sandboxes{phase=\"Running\"} 2.0")
                .contains("sandlot_sandboxes{phase=\"Pending\"} 1.0")
                .contains("sandlot_sandboxes{phase=\"Failed\"} 0.0");
    }

    @Test
    void passesErrorsActionsRestartsAndManifestErrorsAreCounted() throws IOException {
        Metrics m = metrics(Map.of());

        m.pass(0.02);
        m.pass(3);
        m.error("runsc run");
        m.error("runsc run");
        m.action("create");
        m.restart("web");
        m.manifestErrors(3);

        String text = scrape(m);
        assertThat(text).contains("sandlot_reconcile_duration_seconds_count 2")
                .contains("sandlot_reconcile_duration_seconds_bucket{le=\"0.025\"} 1")
                .contains("sandlot_reconcile_errors_total{reason=\"runsc run\"} 2.0")
                .contains("sandlot_actions_total{type=\"create\"} 1.0")
                .contains("sandlot_sandbox_restarts_total{name=\"web\"} 1.0")
                .contains("sandlot_manifest_errors 3.0");
    }

    @Test
    void memoryAndCpuOfRunningSandboxesAreReadFromTheirCgroupsAtScrapeTime() throws IOException {
        Files.writeString(cgroupRoot.resolve("cgroup.controllers"), "cpu memory pids\n");
        Path web = Files.createDirectories(cgroupRoot.resolve("sandlot/sandlot-web.00000001"));
        Files.writeString(web.resolve("memory.current"), "1048576\n");
        Files.writeString(web.resolve("cpu.stat"), "usage_usec 2500000\nuser_usec 2000000\n");
        Metrics m = metrics(Map.of("web", "/sandlot/sandlot-web.00000001", "gone", "/sandlot/sandlot-gone.00000002"));

        String text = scrape(m);

        assertThat(text).contains("sandlot_sandbox_memory_bytes{name=\"web\"} 1048576.0")
                .contains("sandlot_sandbox_cpu_seconds_total{name=\"web\"} 2.5")
                .doesNotContain("name=\"gone\"");

        Files.writeString(web.resolve("memory.current"), "2097152\n");
        assertThat(scrape(m)).contains("sandlot_sandbox_memory_bytes{name=\"web\"} 2097152.0");
    }

    private static SandboxStatus row(String name, Phase phase, String reason, Integer exitCode, boolean ready) {
        return new SandboxStatus(name, phase, reason, null, null, 0, "", null, exitCode, null, null, null, ready,
                List.of());
    }

    @Test
    void eachSandboxShowsWhetherItIsReady() throws IOException {
        Metrics m = metrics(Map.of());

        m.statuses(List.of(row("web", Phase.Running, null, null, true), row("db", Phase.Running, null, null, false),
                row("job", Phase.Stopped, "Completed", 0, false)));

        assertThat(scrape(m)).contains("sandlot_sandbox_ready{name=\"web\"} 1.0")
                .contains("sandlot_sandbox_ready{name=\"db\"} 0.0")
                .contains("sandlot_sandbox_ready{name=\"job\"} 0.0")
                .contains("sandlot_sandboxes{phase=\"Running\"} 2.0");
    }

    @Test
    void theLastExitCodeOutlivesTheRestartThatFollowsIt() throws IOException {
        Metrics m = metrics(Map.of());
        assertThat(scrape(m)).doesNotContain("sandlot_sandbox_last_exit_code{");

        m.statuses(List.of(row("web", Phase.Failed, "CrashLoopBackOff", 3, false)));
        assertThat(scrape(m)).contains("sandlot_sandbox_last_exit_code{name=\"web\"} 3.0");

        m.statuses(List.of(row("web", Phase.Running, null, null, true)));
        assertThat(scrape(m)).contains("sandlot_sandbox_last_exit_code{name=\"web\"} 3.0");

        m.statuses(List.of(row("web", Phase.Stopped, "Completed", 0, false)));
        assertThat(scrape(m)).contains("sandlot_sandbox_last_exit_code{name=\"web\"} 0.0");
    }

    @Test
    void theReasonIsOneSeriesThatIsReplacedWhenTheReasonChangesAndGoneWithoutOne() throws IOException {
        Metrics m = metrics(Map.of());

        m.statuses(List.of(row("web", Phase.Failed, "CrashLoopBackOff", 1, false)));
        assertThat(scrape(m)).contains("sandlot_sandbox_status_reason{name=\"web\",reason=\"CrashLoopBackOff\"} 1.0");

        m.statuses(List.of(row("web", Phase.Failed, "Error", 1, false)));
        String text = scrape(m);
        assertThat(text).contains("sandlot_sandbox_status_reason{name=\"web\",reason=\"Error\"} 1.0")
                .doesNotContain("reason=\"CrashLoopBackOff\"");

        m.statuses(List.of(row("web", Phase.Running, null, null, true)));
        assertThat(scrape(m)).doesNotContain("sandlot_sandbox_status_reason{");
    }

    @Test
    void aSandboxThatLeavesTheStatusLeavesItsSeries() throws IOException {
        Metrics m = metrics(Map.of());
        m.statuses(List.of(row("web", Phase.Failed, "Error", 2, false), row("db", Phase.Running, null, null, true)));

        m.statuses(List.of(row("db", Phase.Running, null, null, true)));

        assertThat(scrape(m)).doesNotContain("name=\"web\"").contains("sandlot_sandbox_ready{name=\"db\"} 1.0");
    }
}
