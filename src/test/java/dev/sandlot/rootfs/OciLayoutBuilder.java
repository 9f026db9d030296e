package dev.sandlot.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes an OCI image layout the way {@code skopeo copy ... oci:DIR:TAG} does: {@code oci-layout},
 * content-addressed blobs, and an {@code index.json} naming each manifest by its ref annotation.
 */
public final class OciLayoutBuilder {
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";

    /** A content descriptor as JSON. */
    public record Blob(String mediaType, String digest, long size) {
        String json() {
            return "{\"mediaType\": \"" + mediaType + "\", \"digest\": \"" + digest + "\", \"size\": " + size + "}";
        }
    }

    private final Path dir;
    private final List<String> indexEntries = new ArrayList<>();

    public OciLayoutBuilder(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("blobs/sha256"));
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}");
        writeIndex();
    }

    public Path dir() {
        return dir;
    }

    public Blob blob(String mediaType, byte[] data) throws IOException {
        String hex = HexFormat.of().formatHex(sha256(data));
        Files.write(dir.resolve("blobs/sha256/" + hex), data);
        return new Blob(mediaType, "sha256:" + hex, data.length);
    }

    /** A layer blob from a file (e.g. a tar made by the tar command), hashed while copied. */
    public Blob layerFile(String mediaType, Path file) throws IOException {
        MessageDigest md = newSha256();
        Path temp = dir.resolve("blobs/sha256/.incoming");
        try (InputStream in = Files.newInputStream(file);
                var out = Files.newOutputStream(temp)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                md.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        String hex = HexFormat.of().formatHex(md.digest());
        Files.move(temp, dir.resolve("blobs/sha256/" + hex), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new Blob(mediaType, "sha256:" + hex, Files.size(dir.resolve("blobs/sha256/" + hex)));
    }

    /** An image manifest with this config JSON and these layers; returns the manifest's descriptor. */
    public Blob manifest(String configJson, Blob... layers) throws IOException {
        Blob config = blob(CONFIG, configJson.getBytes(StandardCharsets.UTF_8));
        List<String> layerJson = new ArrayList<>();
        for (Blob layer : layers) {
            layerJson.add(layer.json());
        }
        String manifest = "{\"schemaVersion\": 2, \"mediaType\": \"" + MANIFEST + "\", \"config\": " + config.json()
                + ", \"layers\": [" + String.join(", ", layerJson) + "]}";
        return blob(MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
    }

    /** Names {@code target} (a manifest or an index) {@code ref} in index.json. */
    public OciLayoutBuilder tag(String ref, Blob target) throws IOException {
        indexEntries.add("{\"mediaType\": \"" + target.mediaType() + "\", \"digest\": \"" + target.digest()
                + "\", \"size\": " + target.size() + ", \"annotations\": {\"org.opencontainers.image.ref.name\": \""
                + ref + "\"}}");
        writeIndex();
        return this;
    }

    /** Replaces the whole index.json (for malformed-index tests). */
    public void rawIndex(String json) throws IOException {
        Files.writeString(dir.resolve("index.json"), json);
    }

    /** An image config with these process fields (JSON fragments, e.g. {@code "Cmd": ["/bin/sh"]}). */
    public static String config(String... fields) {
        return "{\"architecture\": \"" + OciLayout.hostArchitecture() + "\", \"os\": \"linux\", \"config\": {"
                + String.join(", ", fields) + "}, \"rootfs\": {\"type\": \"layers\", \"diff_ids\": []}}";
    }

    private void writeIndex() throws IOException {
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\": 2, \"mediaType\": \"" + INDEX
                + "\", \"manifests\": [" + String.join(", ", indexEntries) + "]}");
    }

    private static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
