package dev.sandlot.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where the root filesystem comes from: exactly one of a directory ({@code path}), a
 * {@code docker export}-style tarball ({@code archive}) or an OCI image layout ({@code image}); the
 * others are null. Always used read-only. With an image, the image config supplies what
 * {@link ProcessSpec} leaves open (see there).
 */
public record Rootfs(String path, String archive, @JsonInclude(JsonInclude.Include.NON_NULL) Image image) {
    public Rootfs {
        int set = (path == null ? 0 : 1) + (archive == null ? 0 : 1) + (image == null ? 0 : 1);
        if (set != 1) {
            throw new IllegalArgumentException("a rootfs is exactly one of path, archive or image");
        }
    }

    /** A directory or archive rootfs, as before images existed. */
    public Rootfs(String path, String archive) {
        this(path, archive, null);
    }

    public static Rootfs directory(String path) {
        return new Rootfs(path, null, null);
    }

    public static Rootfs archive(String archive) {
        return new Rootfs(null, archive, null);
    }

    public static Rootfs image(Image image) {
        return new Rootfs(null, null, image);
    }
}
