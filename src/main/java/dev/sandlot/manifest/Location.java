package dev.sandlot.manifest;

/** A position in a manifest file; line and column start at 1, as editors count them. */
public record Location(String file, int line, int column) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
