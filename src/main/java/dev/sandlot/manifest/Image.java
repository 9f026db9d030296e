package dev.sandlot.manifest;

import java.util.Objects;

/**
 * An image in an OCI image layout (as {@code skopeo copy ... oci:DIR:TAG} writes one): the
 * manifest in {@code index.json} whose {@code org.opencontainers.image.ref.name} annotation is
 * {@code ref}, its config and layers.
 *
 * @param layout the layout's directory: a normalized absolute path, not "/", not under /proc, /sys, /dev
 * @param ref    the tag; "latest" when the manifest does not say
 */
public record Image(String layout, String ref) {
    public static final String DEFAULT_REF = "latest";

    public Image {
        Objects.requireNonNull(layout, "layout");
        ref = ref == null ? DEFAULT_REF : ref;
    }
}
