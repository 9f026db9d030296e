package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sandlot.cli.Main;
import dev.sandlot.host.ExecRequest;
import dev.sandlot.host.ProcessRunner;
import dev.sandlot.host.SystemProcessRunner;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A no-op apply over 30 converged sandboxes: one runsc call, no CNI call (asserted at the seam). */
class NoopApplyIT {
    private TestHost host;
    private final List<ExecRequest> calls = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost("no", 215);
        SystemProcessRunner real = new SystemProcessRunner();
        ProcessRunner counting = request -> {
            calls.add(request);
            return real.run(request);
        };
        TestSeam.install(() -> counting);
    }

    @AfterEach
    void tearDown() throws Exception {
        TestSeam.reset();
        host.close();
    }

    @Test
    void aNoOpApplyOverThirtySandboxesMakesOneRunscCallAndNoCniCall() throws Exception {
        for (int i = 0; i < 30; i++) {
            host.writeManifest("n" + i, "v1");
        }
        TestHost.Run first = host.sandlot("apply");
        assertThat(first.exit()).as(first.out() + first.err()).isZero();

        calls.clear();
        TestHost.Run second = host.sandlot("apply");
        assertThat(second.exit()).as(second.out() + second.err()).isZero();
        assertThat(second.out()).contains("in sync: 30 sandboxes");
        List<String> programs = calls.stream().map(ExecRequest::program).toList();
        assertThat(programs).as("process calls of a no-op apply").containsExactly("runsc");
        assertThat(calls.get(0).argv()).contains("list");
    }
}
