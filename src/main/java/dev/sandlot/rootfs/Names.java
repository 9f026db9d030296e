package dev.sandlot.rootfs;

/** Entry names: cleaned to relative paths inside the tree, and shown safely in messages. */
final class Names {
    private static final int SHOWN = 120;

    private Names() {
    }

    /**
     * The entry name as a relative path without empty or "." components ("" for the root itself).
     *
     * @throws RootfsException for an absolute name, a ".." component, a NUL or an overlong name
     */
    static String clean(String name, int maxChars, String source) throws RootfsException {
        if (name == null || name.isEmpty()) {
            throw new RootfsException(source + ": an entry has an empty name");
        }
        if (name.length() > maxChars) {
            throw new RootfsException(source + ": entry " + shown(name) + " has a name longer than " + maxChars
                    + " characters");
        }
        if (name.indexOf('\0') >= 0) {
            throw new RootfsException(source + ": entry " + shown(name) + " has a NUL in its name");
        }
        if (name.startsWith("/")) {
            throw new RootfsException(source + ": entry " + shown(name) + " has an absolute path; sandlot refuses"
                    + " entries that could land outside the root filesystem");
        }
        StringBuilder out = new StringBuilder(name.length());
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new RootfsException(source + ": entry " + shown(name) + " climbs out with '..'; sandlot refuses"
                        + " entries that could land outside the root filesystem");
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    static String parent(String rel) {
        int slash = rel.lastIndexOf('/');
        return slash < 0 ? "" : rel.substring(0, slash);
    }

    static String baseName(String rel) {
        return rel.substring(rel.lastIndexOf('/') + 1);
    }

    static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }

    /** A name for a message: quoted, control characters replaced, long names shortened. */
    static String shown(String name) {
        StringBuilder b = new StringBuilder("'");
        for (int i = 0; i < name.length() && i < SHOWN; i++) {
            char c = name.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (name.length() > SHOWN) {
            b.append("...");
        }
        return b.append('\'').toString();
    }
}
