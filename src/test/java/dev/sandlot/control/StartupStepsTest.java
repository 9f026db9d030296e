package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/** Each start-up step reaches systemd's notify socket as EXTEND_TIMEOUT_USEC with its bound, then STATUS=. */
@Timeout(30)
class StartupStepsTest {
    @TempDir
    Path dir;

    @Test
    void eachStepExtendsTheStartTimeoutByItsOwnBoundAndNamesItself() throws IOException {
        Path socket = dir.resolve("notify");
        try (AFUNIXDatagramChannel server = SystemdNotifierTest.bind(AFUNIXSocketAddress.of(socket))) {
            StartupSteps steps = new StartupSteps(SystemdNotifier.fromEnvironment(
                    Map.of("NOTIFY_SOCKET", socket.toString()), 42));

            steps.next("reading the manifests", StartupSteps.READ_MANIFESTS);
            steps.next("observing", Duration.ofSeconds(90));

            assertThat(SystemdNotifierTest.receive(server)).isEqualTo("EXTEND_TIMEOUT_USEC=180000000");
            assertThat(SystemdNotifierTest.receive(server)).isEqualTo("STATUS=starting: reading the manifests");
            assertThat(SystemdNotifierTest.receive(server)).isEqualTo("EXTEND_TIMEOUT_USEC=90000000");
            assertThat(SystemdNotifierTest.receive(server)).isEqualTo("STATUS=starting: observing");
        }
    }

    @Test
    void everyBoundIsLongerThanTheCallsOfItsStepCanTake() {
        // runsc calls time out after 30 s, a git network step after 60 s: a step's bound must hold a few.
        assertThat(StartupSteps.READ_MANIFESTS).isGreaterThan(Duration.ofSeconds(60));
        assertThat(StartupSteps.OBSERVE).isGreaterThan(Duration.ofSeconds(60));
        assertThat(StartupSteps.KILL_STRAGGLERS).isPositive();
        assertThat(StartupSteps.START_LOOP).isPositive();
    }

    @Test
    void withoutSystemdTheStepsAreNoOps() {
        new StartupSteps(Notifier.NONE).next("anything", Duration.ofSeconds(1));
    }
}
