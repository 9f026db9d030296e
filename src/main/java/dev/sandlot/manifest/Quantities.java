package dev.sandlot.manifest;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses resource amounts. Inputs are bounded by the patterns before any arithmetic, so
 * {@code 1e999999} or a 500-digit number is refused at once, never parsed.
 */
final class Quantities {
    static final long MAX_MEMORY_BYTES = 1L << 44; // 16 TiB
    static final long MAX_MILLI_CPUS = 1024 * 1000;
    static final long MAX_PIDS = 4_194_304; // the kernel's PID_MAX_LIMIT

    private static final Pattern MEMORY =
            Pattern.compile("(0|[1-9][0-9]{0,17})(\\.[0-9]{1,9})?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?");
    private static final Pattern CPUS = Pattern.compile("(0|[1-9][0-9]{0,3})(?:\\.([0-9]{1,3}))?");
    /** Go-style durations: units h, m, s, ms, largest first, each at most once: 500ms, 10s, 2m, 1h30m. */
    private static final Pattern DURATION =
            Pattern.compile("(?=[0-9])(?:([0-9]{1,7})h)?(?:([0-9]{1,7})m(?!s))?(?:([0-9]{1,7})s)?(?:([0-9]{1,7})ms)?");
    static final String DURATION_RULE = "must be a duration with a unit, such as 500ms, 10s, 2m or 1h30m";
    private static final Map<String, BigDecimal> SUFFIX = Map.ofEntries(
            Map.entry("", BigDecimal.ONE),
            Map.entry("k", BigDecimal.valueOf(1000L)),
            Map.entry("M", BigDecimal.valueOf(1000_000L)),
            Map.entry("G", BigDecimal.valueOf(1000_000_000L)),
            Map.entry("T", BigDecimal.valueOf(1000_000_000_000L)),
            Map.entry("P", BigDecimal.valueOf(1000_000_000_000_000L)),
            Map.entry("E", BigDecimal.valueOf(1000_000_000_000_000_000L)),
            Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
            Map.entry("Mi", BigDecimal.valueOf(1L << 20)),
            Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
            Map.entry("Ti", BigDecimal.valueOf(1L << 40)),
            Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
            Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

    /** A parsed value, or the reason it was refused. */
    record Parsed(long value, String problem) {
        static Parsed ok(long value) {
            return new Parsed(value, null);
        }

        static Parsed bad(String problem) {
            return new Parsed(0, problem);
        }
    }

    private Quantities() {
    }

    /** Kubernetes-style memory quantity to bytes, rounded up to a whole byte. */
    static Parsed memoryBytes(String text) {
        Matcher m = MEMORY.matcher(text);
        if (!m.matches()) {
            return Parsed.bad("must be a memory quantity such as 256Mi, 1Gi, 512M or 1000000 (bytes)");
        }
        String number = m.group(1) + (m.group(2) == null ? "" : m.group(2));
        String suffix = m.group(3) == null ? "" : m.group(3);
        BigDecimal bytes = new BigDecimal(number).multiply(SUFFIX.get(suffix)).setScale(0, RoundingMode.CEILING);
        if (bytes.signum() <= 0) {
            return Parsed.bad("must be more than 0");
        }
        if (bytes.compareTo(BigDecimal.valueOf(MAX_MEMORY_BYTES)) > 0) {
            return Parsed.bad("must be at most 16Ti");
        }
        return Parsed.ok(bytes.longValueExact());
    }

    /** A decimal number of CPUs to milli-CPUs: {@code 0.5} is 500, {@code 2} is 2000. */
    static Parsed milliCpus(String text) {
        Matcher m = CPUS.matcher(text);
        if (!m.matches()) {
            return Parsed.bad("must be a positive number of CPUs with at most 3 decimals, such as 0.5 or 2");
        }
        long whole = Long.parseLong(m.group(1));
        String fraction = m.group(2) == null ? "" : m.group(2);
        long milli = whole * 1000 + (fraction.isEmpty() ? 0 : Long.parseLong((fraction + "00").substring(0, 3)));
        if (milli < 1) {
            return Parsed.bad("must be at least 0.001");
        }
        if (milli > MAX_MILLI_CPUS) {
            return Parsed.bad("must be at most " + MAX_MILLI_CPUS / 1000);
        }
        return Parsed.ok(milli);
    }

    /** A duration such as {@code 1m30s} to milliseconds, within {@code [min, max]}. */
    static Parsed durationMillis(String text, long min, long max) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return Parsed.bad(DURATION_RULE);
        }
        long[] unit = {3_600_000L, 60_000L, 1_000L, 1L};
        long millis = 0;
        for (int i = 0; i < unit.length; i++) {
            if (m.group(i + 1) != null) {
                millis += Long.parseLong(m.group(i + 1)) * unit[i]; // at most 7 digits each: no overflow
            }
        }
        if (millis < min || millis > max) {
            return Parsed.bad("must be from " + formatDuration(min) + " to " + formatDuration(max));
        }
        return Parsed.ok(millis);
    }

    /** The shortest spelling of a whole number of milliseconds in the manifest's syntax: 0s, 500ms, 1m30s, 1h. */
    static String formatDuration(long millis) {
        if (millis == 0) {
            return "0s";
        }
        StringBuilder out = new StringBuilder();
        long[] unit = {3_600_000L, 60_000L, 1_000L, 1L};
        String[] name = {"h", "m", "s", "ms"};
        long rest = millis;
        for (int i = 0; i < unit.length; i++) {
            if (rest >= unit[i]) {
                out.append(rest / unit[i]).append(name[i]);
                rest %= unit[i];
            }
        }
        return out.toString();
    }
}
