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
        // Fields from 3 (state) on, separated by single spaces; only 3, 4 (ppid) and 22 (starttime)
        // are kept, so they are cut out where they are rather than split (this runs for every
        // sandbox on every pass and every second for adopted ones).
        String[] wanted = new String[3];
        int field = 3;
        int at = close + 1;
        while (at < line.length() && field <= 22) {
            while (at < line.length() && line.charAt(at) == ' ') {
                at++;
            }
            int end = line.indexOf(' ', at);
            end = end < 0 ? line.length() : end;
            if (end > at) {
                if (field == 3 || field == 4) {
                    wanted[field - 3] = line.substring(at, end);
                } else if (field == 22) {
                    wanted[2] = line.substring(at, end);
                }
                field++;
            }
            at = end;
        }
        if (wanted[2] == null || wanted[0].length() != 1) {
            throw new IllegalArgumentException("short /proc stat line");
        }
        return new ProcStat(pid, comm, wanted[0].charAt(0), Integer.parseInt(wanted[1]), Long.parseLong(wanted[2]));
    }
}
