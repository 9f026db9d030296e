package dev.sandlot.manifest;

/**
 * Where the root filesystem comes from: exactly one of a directory ({@code path}) or a
 * {@code docker export}-style tarball ({@code archive}); the other is null. Always used read-only.
 */
public record Rootfs(String path, String archive) {
    public static Rootfs directory(String path) {
        return new Rootfs(path, null);
    }

    public static Rootfs archive(String archive) {
        return new Rootfs(null, archive);
    }
}
