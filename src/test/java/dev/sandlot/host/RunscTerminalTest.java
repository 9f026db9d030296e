package dev.sandlot.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The runsc command line of {@code sandlot exec} with a terminal. */
class RunscTerminalTest {
    private static final String ID = "sandlot-web.0a1b2c3d";

    private static Runsc runsc(String root, List<String> flags) {
        return new Runsc(new RecordingProcessRunner(), "/usr/bin/runsc", Path.of(root), flags);
    }

    @Test
    void detachesWithTheConsoleSocketPidFileAndTerm() {
        ExecRequest r = runsc("/run/sandlot/runsc", List.of("--network=host")).terminalExecRequest(ID,
                List.of("/bin/sh", "-c", "tty"), Path.of("/tmp/x/console.sock"), Path.of("/tmp/x/exec.pid"),
                "xterm-256color");

        assertThat(r.argv()).containsExactly("/usr/bin/runsc", "--root", "/run/sandlot/runsc", "--network=host",
                "exec", "-detach", "-console-socket", "/tmp/x/console.sock", "-pid-file", "/tmp/x/exec.pid",
                "-env", "TERM=xterm-256color", "--", ID, "/bin/sh", "-c", "tty");
        assertThat(r.env()).isEqualTo(Map.of("PATH", ExecRequest.DEFAULT_PATH));
    }

    @Test
    void leavesOutAMissingTermAndOneRunscWouldSplit() {
        Runsc runsc = runsc("/run/sandlot/runsc", List.of());
        for (String term : new String[] {null, "", "xterm,PATH=/evil", "a b"}) {
            assertThat(runsc.terminalExecRequest(ID, List.of("sh"), Path.of("/s"), Path.of("/p"), term).argv())
                    .as("TERM %s", term).doesNotContain("-env").noneMatch(a -> a.startsWith("TERM="));
        }
    }

    @Test
    void refusesArgumentsThatRunscDetachWouldDrop() {
        assertThat(runsc("/run/sandlot/runsc", List.of()).terminalUnsupported(ID, List.of("/bin/sh"))).isEmpty();
        assertThat(runsc("/run/sandlot/runsc", List.of()).terminalUnsupported(ID, List.of("echo", "detached")))
                .hasValueSatisfying(why -> assertThat(why).contains("'detached'"));
        assertThat(runsc("/run/sandlot/runsc", List.of()).terminalUnsupported("sandlot-detach.0a1b2c3d", List.of("sh")))
                .isPresent();
        assertThat(runsc("/srv/detach/runsc", List.of()).terminalUnsupported(ID, List.of("sh"))).isPresent();
        assertThat(runsc("/run/sandlot/runsc", List.of("--detach-foo")).terminalUnsupported(ID, List.of("sh")))
                .isPresent();
    }
}
