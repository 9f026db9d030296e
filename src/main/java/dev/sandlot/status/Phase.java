package dev.sandlot.status;

/** The phase of a sandbox, exactly the five words of DESIGN.md §2. */
public enum Phase {
    Pending, Running, Failed, Stopped, Terminating
}
