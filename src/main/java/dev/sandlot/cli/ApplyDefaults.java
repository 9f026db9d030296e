package dev.sandlot.cli;

import java.time.Duration;

/** Defaults of applying that the manifest cannot yet override. */
final class ApplyDefaults {
    /** Time between SIGTERM and SIGKILL when a sandbox is stopped. */
    static final Duration GRACE_PERIOD = Duration.ofSeconds(10);

    private ApplyDefaults() {
    }
}
