package dev.sandlot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.status.Phase;
import dev.sandlot.status.SandboxStatus;
import dev.sandlot.status.StatusBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusTableTest {
    private static final Instant NOW = Instant.parse("2026-11-28T10:00:30Z");

    private static SandboxStatus row(String name, Phase phase, String reason, String message, boolean ready,
            List<StatusBuilder.Run> runs) {
        return new SandboxStatus(name, phase, reason, phase == Phase.Running ? "10.203.0.2" : null,
                phase == Phase.Running ? 15385 : null, 0, message, NOW.minusSeconds(720), null, "sandlot-" + name + ".1",
                null, null, ready, runs);
    }

    @Test
    void readyIsAColumnApartFromThePhaseAndTheColumnsStayAligned() {
        String table = StatusTable.render(List.of(row("web", Phase.Running, null, "", true, List.of()),
                row("db", Phase.Running, null, "", false, List.of()),
                row("front", Phase.Pending, "WaitingForDependencies", "waiting for db", false, List.of())),
                Map.of(), NOW);

        assertThat(table).isEqualTo("""
                NAME                 PHASE        READY IP              PID      RESTARTS AGE    MESSAGE
                web                  Running      1/1   10.203.0.2      15385    0        12m   \s
                db                   Running      0/1   10.203.0.2      15385    0        12m   \s
                front                Pending      0/1   -               -        0        12m    WaitingForDependencies: waiting for db
                """);
    }

    @Test
    void aScheduledSandboxShowsItsLastRunAndTheNextFireTime() {
        StatusBuilder.Run run = new StatusBuilder.Run(NOW.minusSeconds(200), NOW.minusSeconds(180), 0);

        String table = StatusTable.render(List.of(row("job", Phase.Stopped, "Scheduled", "", false, List.of(run)),
                row("fresh", Phase.Stopped, "Scheduled", "", false, List.of())),
                Map.of("job", "0 */5 * * * ?", "fresh", "0 0 * * * ?"), NOW);

        assertThat(table).contains("Scheduled; last 3m ago exit 0, next in 4m")
                .contains("Scheduled; no run yet, next in 59m");
    }

    @Test
    void aRunningRowTakesTheReadinessTheDaemonRecordedForTheSameIncarnation() {
        SandboxStatus built = row("web", Phase.Running, null, "", true, List.of());
        SandboxStatus recordedNotReady = built.withReady(false);
        SandboxStatus otherIncarnation = new SandboxStatus("web", Phase.Running, null, null, null, 0, "", null, null,
                "sandlot-web.0", null, null, false, List.of());

        assertThat(StatusTable.withRecordedReadiness(List.of(built), List.of(recordedNotReady)))
                .singleElement().extracting(SandboxStatus::ready).isEqualTo(false);
        assertThat(StatusTable.withRecordedReadiness(List.of(built), List.of(otherIncarnation)))
                .singleElement().extracting(SandboxStatus::ready).isEqualTo(true);
        assertThat(StatusTable.withRecordedReadiness(List.of(built), List.of())).containsExactly(built);
    }
}
