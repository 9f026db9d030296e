package dev.sandlot.apply;

import dev.sandlot.state.SandboxId;
import java.time.Duration;
import java.util.List;

/**
 * What applying one sandbox's plan did.
 *
 * @param done    one line per action carried out ("removed sandlot-web.1a2b3c4d: spec changed")
 * @param created the new incarnation, or null
 * @param error   the failure (naming sandbox, step and cause), or null
 * @param failedStep the step that failed ("netns", "CNI ADD mynet", "runsc run", ...), or null
 * @param restart true when the create replaced an incarnation whose process or network was lost
 *                (not a spec change): it counts as a restart
 * @param restartAttempt the consecutive crash-loop restart this create was (0 when none)
 */
public record SandboxResult(String name, List<String> done, SandboxId created, String error, String failedStep,
        Duration took, boolean restart, int restartAttempt) {
    public SandboxResult {
        done = List.copyOf(done);
    }

    public boolean ok() {
        return error == null;
    }
}
