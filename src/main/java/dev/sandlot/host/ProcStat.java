package dev.sandlot.host;

/**
 * The fields of {@code /proc/<pid>/stat} sandlot uses.
 *
 * @param state     one letter: R, S, D, Z (zombie), X (dead), T, t, I, ...
 * @param startTime clock ticks after boot at which the process started (with the pid, it tells a
 *                  process from a later one that reuses its pid)
 */
public record ProcStat(int pid, String comm, char state, int ppid, long startTime) {

    /** Exited but not yet reaped, or already dead: its work is over whatever runsc says. */
    public boolean exited() {
        return state == 'Z' || state == 'X' || state == 'x';
    }

    /**
     * Parses one stat line. The command name is in parentheses and may itself contain spaces and
     * parentheses, so the fields after it are found from the last ')'.
     */
    static ProcStat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 1 || close < open) {
            throw new IllegalArgumentException("not a /proc stat line");
        }
        int pid = Integer.parseInt(line.substring(0, open).trim());
        String comm = line.substring(open + 1, close);
        String[] rest = line.substring(close + 1).trim().split(" +");
        // rest[0] is field 3 (state); field 4 is ppid; field 22 is starttime.
        if (rest.length < 20 || rest[0].length() != 1) {
            throw new IllegalArgumentException("short /proc stat line");
        }
        return new ProcStat(pid, comm, rest[0].charAt(0), Integer.parseInt(rest[1]), Long.parseLong(rest[19]));
    }
}
