package dev.sandlot.plan;

import dev.sandlot.observe.Incarnation;
import dev.sandlot.source.DesiredSandbox;

/** One step the applier takes for a sandbox name. A closed set: the applier switches over it. */
public sealed interface Action {

    /** A short, human reason ("spec changed", "process exited", "no manifest"). */
    String reason();

    /** Create a new incarnation (new id, netns, CNI ADD, bundle, runsc run). */
    record Create(DesiredSandbox sandbox, String reason) implements Action {
    }

    /** Tear one incarnation down completely (runsc kill/delete, CNI DEL, netns, records). */
    record Teardown(Incarnation incarnation, String reason) implements Action {
    }
}
