package dev.sandlot.manifest;

/**
 * Resource limits; a null field means "no limit".
 *
 * @param memoryBytes from quantities such as {@code 256Mi} or {@code 1G}
 * @param milliCpus   from {@code cpus: 0.5} (500) or {@code cpus: 2} (2000)
 * @param pids        maximum number of processes
 */
public record Resources(Long memoryBytes, Long milliCpus, Long pids) {
    public static final Resources NONE = new Resources(null, null, null);
}
