package dev.sandlot.host;

import java.nio.charset.StandardCharsets;

/** Turns program output into something safe to put in a log line or an exception message. */
final class Text {
    static final int MESSAGE_LIMIT = 2048;

    private Text() {
    }

    /** Decodes, drops control characters (newlines become "; "), trims, and bounds the length. */
    static String clean(byte[] bytes, int limit) {
        return clean(new String(bytes, StandardCharsets.UTF_8), limit);
    }

    static String clean(String s, int limit) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), limit + 16));
        for (int i = 0; i < s.length() && out.length() < limit; i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                if (out.length() > 0 && !endsWith(out, "; ")) {
                    out.append("; ");
                }
            } else if (c == '\t') {
                out.append(' ');
            } else if (!Character.isISOControl(c) && Character.getType(c) != Character.FORMAT) {
                out.append(c);
            }
        }
        String result = out.toString().strip();
        while (result.endsWith(";")) {
            result = result.substring(0, result.length() - 1).strip();
        }
        return s.length() > limit && result.length() >= limit - 1 ? result + "…" : result;
    }

    static String clean(String s) {
        return clean(s, MESSAGE_LIMIT);
    }

    private static boolean endsWith(StringBuilder b, String suffix) {
        int n = b.length();
        return n >= suffix.length() && b.substring(n - suffix.length()).equals(suffix);
    }
}
