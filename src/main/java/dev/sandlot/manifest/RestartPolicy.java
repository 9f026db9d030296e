package dev.sandlot.manifest;

/** What happens when the sandbox's process exits; the names are the manifest's spelling. */
public enum RestartPolicy {
    Always, OnFailure, Never
}
