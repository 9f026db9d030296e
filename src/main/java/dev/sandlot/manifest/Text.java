package dev.sandlot.manifest;

import java.util.regex.Pattern;

/** Rendering helpers that keep file content and control characters out of messages. */
final class Text {
    private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]{1,63}");
    private static final Pattern DOTTED_KEY = Pattern.compile("[A-Za-z0-9_./-]{1,253}");

    private Text() {
    }

    /**
     * Escapes everything a terminal or log could misread: C0/C1 controls, DEL, line and paragraph
     * separators, and invisible format characters such as bidi overrides.
     */
    static String printable(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            boolean bad = cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029
                    || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.SURROGATE
                    || Character.getType(cp) == Character.UNASSIGNED;
            if (bad && out == null) {
                out = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (out != null) {
                if (bad) {
                    out.append(String.format("\\u%04x", cp));
                } else {
                    out.appendCodePoint(cp);
                }
            }
            i += n;
        }
        return out == null ? s : out.toString();
    }

    /**
     * The path of a mapping's child. Keys that look like identifiers appear as written; other keys
     * are user content (and could be anything), so they are shown as {@code [?]}: the error's
     * line and column point at them anyway.
     */
    static String child(String parent, String key) {
        if (PLAIN_KEY.matcher(key).matches()) {
            return parent.isEmpty() ? key : parent + "." + key;
        }
        if (DOTTED_KEY.matcher(key).matches()) {
            return parent + "[" + key + "]";
        }
        return parent + "[?]";
    }

    static String index(String parent, int index) {
        return parent + "[" + index + "]";
    }

    static String plural(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
