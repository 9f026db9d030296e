package dev.sandlot.observe;

/** What runsc (and /proc) say about an incarnation's process. */
public enum RuntimeState {
    /** runsc reports it running and its pid is alive (not a zombie). */
    RUNNING,
    /** runsc knows the container but its process is gone, a zombie, or never started. */
    EXITED,
    /** runsc has no container with this id. */
    ABSENT
}
