package dev.sandlot.rootfs;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an OCI image layout ({@code oci-layout}, {@code index.json}, {@code blobs/<alg>/<hex>}) as
 * {@code skopeo copy ... oci:DIR:TAG} writes one: the manifest whose
 * {@code org.opencontainers.image.ref.name} annotation is the ref (through one image index, for
 * this host's platform), its config and its layers. Every JSON document is read with a size bound
 * and every blob is checked against its descriptor's size and digest.
 */
final class OciLayout {
    static final String REF_ANNOTATION = "org.opencontainers.image.ref.name";
    static final Set<String> INDEX_TYPES = Set.of("application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json");
    static final Set<String> MANIFEST_TYPES = Set.of("application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");
    static final Set<String> LAYER_TYPES = Set.of(
            "application/vnd.oci.image.layer.v1.tar",
            "application/vnd.oci.image.layer.v1.tar+gzip",
            "application/vnd.oci.image.layer.nondistributable.v1.tar",
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
            "application/vnd.docker.image.rootfs.diff.tar.gzip",
            "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final Path dir;
    private final Limits limits;

    record Descriptor(String mediaType, String digest, long size, Map<String, String> annotations, JsonNode platform) {
    }

    /** One image: its manifest's descriptor (whose digest names the unpacked tree), config and layers. */
    record Image(Descriptor manifest, ImageConfig config, List<Descriptor> layers) {
        String digest() {
            return manifest.digest();
        }
    }

    OciLayout(Path dir, Limits limits) {
        this.dir = dir;
        this.limits = limits;
    }

    Path dir() {
        return dir;
    }

    /** The file whose change may change what {@code ref} names. */
    Path indexFile() {
        return dir.resolve("index.json");
    }

    /** The image manifest {@code ref} names, for this host's platform. */
    Descriptor find(String ref) throws RootfsException, IOException {
        checkLayoutFile();
        JsonNode index = parse(readBounded(indexFile()), indexFile().toString());
        List<Descriptor> matches = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        for (Descriptor d : descriptors(index, indexFile().toString())) {
            String name = d.annotations().get(REF_ANNOTATION);
            if (name != null) {
                refs.add(name);
            }
            if (ref.equals(name)) {
                matches.add(d);
            }
        }
        if (matches.isEmpty()) {
            throw new RootfsException("image layout " + dir + " has no manifest with " + REF_ANNOTATION + " "
                    + Names.shown(ref) + (refs.isEmpty() ? "" : "; it has: "
                    + String.join(", ", refs.stream().limit(10).map(Names::shown).toList())
                    + (refs.size() > 10 ? ", ..." : "")));
        }
        if (matches.size() > 1) {
            throw new RootfsException("image layout " + dir + " names " + matches.size() + " manifests "
                    + Names.shown(ref) + " in index.json; the ref must name one");
        }
        Descriptor found = matches.get(0);
        if (INDEX_TYPES.contains(found.mediaType())) {
            return forThisPlatform(found, ref);
        }
        return found;
    }

    /** Reads the manifest and config of {@code manifest}. */
    Image open(Descriptor manifest) throws RootfsException, IOException {
        if (manifest.mediaType() != null && !MANIFEST_TYPES.contains(manifest.mediaType())) {
            throw new RootfsException("image layout " + dir + ": " + manifest.digest() + " has media type "
                    + Names.shown(manifest.mediaType()) + ", not an image manifest");
        }
        String what = "manifest " + manifest.digest();
        JsonNode m = parse(readBlob(manifest, what), what);
        String innerType = m.path("mediaType").asText(null);
        if (innerType != null && !MANIFEST_TYPES.contains(innerType)) {
            throw new RootfsException("image layout " + dir + ": " + what + " has media type "
                    + Names.shown(innerType) + ", not an image manifest");
        }
        Descriptor configDescriptor = descriptor(m.path("config"), what + " config");
        List<Descriptor> layers = descriptorList(m.path("layers"), what + " layers");
        for (Descriptor layer : layers) {
            String type = layer.mediaType() == null ? "" : layer.mediaType();
            if (type.contains("zstd")) {
                throw new RootfsException("image layout " + dir + ": layer " + layer.digest() + " is zstd-compressed,"
                        + " which sandlot does not unpack; copy the image with gzip layers"
                        + " (skopeo copy --dest-compress-format gzip)");
            }
            if (!LAYER_TYPES.contains(type)) {
                throw new RootfsException("image layout " + dir + ": layer " + layer.digest() + " has media type "
                        + Names.shown(type) + ", which sandlot does not unpack");
            }
        }
        String configWhat = "config " + configDescriptor.digest();
        JsonNode config = parse(readBlob(configDescriptor, configWhat), configWhat);
        return new Image(manifest, imageConfig(config, configWhat), layers);
    }

    /** A layer's bytes, checked against its descriptor once fully read (see {@link VerifyingInputStream#drain()}). */
    VerifyingInputStream layer(Descriptor layer, String what) throws RootfsException, IOException {
        return new VerifyingInputStream(Files.newInputStream(blobPath(layer)), layer.digest(), layer.size(), what);
    }

    private void checkLayoutFile() throws RootfsException, IOException {
        Path marker = dir.resolve("oci-layout");
        if (!Files.isDirectory(dir)) {
            throw new RootfsException("image layout " + dir + " is not a directory on this host; copy the image there"
                    + " (for example: skopeo copy docker://busybox oci:" + dir + ":latest)");
        }
        JsonNode layout;
        try {
            layout = parse(readBounded(marker), marker.toString());
        } catch (NoSuchFileException e) {
            throw new RootfsException(dir + " is not an OCI image layout (no oci-layout file)");
        }
        String version = layout.path("imageLayoutVersion").asText("");
        if (!version.startsWith("1.")) {
            throw new RootfsException(marker + ": imageLayoutVersion " + Names.shown(version)
                    + " is not one sandlot reads (1.x)");
        }
    }

    private Descriptor forThisPlatform(Descriptor indexDescriptor, String ref) throws RootfsException, IOException {
        String what = "image index " + indexDescriptor.digest();
        JsonNode index = parse(readBlob(indexDescriptor, what), what);
        String arch = hostArchitecture();
        List<String> seen = new ArrayList<>();
        for (Descriptor d : descriptors(index, what)) {
            String os = d.platform().path("os").asText("");
            String architecture = d.platform().path("architecture").asText("");
            seen.add(os + "/" + architecture);
            if (os.equals("linux") && architecture.equals(arch) && MANIFEST_TYPES.contains(d.mediaType())) {
                return d;
            }
        }
        throw new RootfsException("image layout " + dir + ": " + Names.shown(ref) + " has no image for linux/" + arch
                + " (it has: " + String.join(", ", seen.stream().limit(10).toList()) + ")");
    }

    static String hostArchitecture() {
        String arch = System.getProperty("os.arch", "");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    private List<Descriptor> descriptors(JsonNode index, String what) throws RootfsException {
        return descriptorList(index.path("manifests"), what + " manifests");
    }

    private List<Descriptor> descriptorList(JsonNode array, String what) throws RootfsException {
        if (!array.isArray()) {
            throw new RootfsException("image layout " + dir + ": " + what + " is not a list");
        }
        List<Descriptor> all = new ArrayList<>();
        for (JsonNode node : array) {
            all.add(descriptor(node, what));
        }
        return all;
    }

    private Descriptor descriptor(JsonNode node, String what) throws RootfsException {
        String digest = node.path("digest").asText(null);
        long size = node.path("size").asLong(-1);
        if (!node.isObject() || !Digests.valid(digest) || size < 0 || !node.path("size").isIntegralNumber()) {
            throw new RootfsException("image layout " + dir + ": " + what + " has a descriptor without a valid"
                    + " sha256/sha512 digest and size");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.path("annotations").properties()) {
            annotations.put(e.getKey(), e.getValue().asText());
        }
        return new Descriptor(node.path("mediaType").asText(null), digest, size, annotations, node.path("platform"));
    }

    private ImageConfig imageConfig(JsonNode config, String what) throws RootfsException {
        String os = config.path("os").asText("linux");
        if (!os.equals("linux")) {
            throw new RootfsException("image layout " + dir + ": the image is for " + Names.shown(os)
                    + ", not linux");
        }
        String arch = config.path("architecture").asText(null);
        if (arch != null && !arch.equals(hostArchitecture())) {
            throw new RootfsException("image layout " + dir + ": the image is for " + Names.shown(arch)
                    + ", this host is " + hostArchitecture());
        }
        JsonNode c = config.path("config");
        return new ImageConfig(strings(c.path("Entrypoint"), what + " Entrypoint"),
                strings(c.path("Cmd"), what + " Cmd"), strings(c.path("Env"), what + " Env"),
                string(c.path("WorkingDir"), what + " WorkingDir"), string(c.path("User"), what + " User"));
    }

    private List<String> strings(JsonNode node, String what) throws RootfsException {
        if (node.isMissingNode() || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new RootfsException("image layout " + dir + ": " + what + " is not a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.asText().indexOf('\0') >= 0) {
                throw new RootfsException("image layout " + dir + ": " + what + " holds something other than a string"
                        + " without NUL");
            }
            out.add(item.asText());
        }
        return out;
    }

    private String string(JsonNode node, String what) throws RootfsException {
        if (node.isMissingNode() || node.isNull()) {
            return "";
        }
        if (!node.isTextual() || node.asText().indexOf('\0') >= 0) {
            throw new RootfsException("image layout " + dir + ": " + what + " is not a string without NUL");
        }
        return node.asText();
    }

    private Path blobPath(Descriptor d) {
        int colon = d.digest().indexOf(':');
        return dir.resolve("blobs").resolve(d.digest().substring(0, colon)).resolve(d.digest().substring(colon + 1));
    }

    private byte[] readBlob(Descriptor d, String what) throws RootfsException, IOException {
        if (d.size() > limits.maxJsonBytes()) {
            throw new RootfsException("image layout " + dir + ": " + what + " is " + d.size() + " bytes; sandlot reads"
                    + " at most " + limits.maxJsonBytes() + " (Limits.maxJsonBytes)");
        }
        try (VerifyingInputStream in = new VerifyingInputStream(Files.newInputStream(blobPath(d)), d.digest(), d.size(),
                "image layout " + dir + ": " + what)) {
            byte[] bytes = in.readNBytes((int) d.size());
            in.drain();
            return bytes;
        } catch (NoSuchFileException e) {
            throw new RootfsException("image layout " + dir + ": blob " + d.digest() + " (" + what + ") is missing");
        } catch (ContentMismatchException e) {
            throw new RootfsException(e.getMessage() + "; the layout is corrupt, copy the image again", e);
        }
    }

    private byte[] readBounded(Path file) throws RootfsException, IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(limits.maxJsonBytes() + 1);
            if (bytes.length > limits.maxJsonBytes()) {
                throw new RootfsException(file + " is larger than " + limits.maxJsonBytes() + " bytes"
                        + " (Limits.maxJsonBytes)");
            }
            return bytes;
        }
    }

    private JsonNode parse(byte[] bytes, String what) throws RootfsException {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new RootfsException(what + " is not a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new RootfsException(what + " is not valid JSON (" + Names.shown(String.valueOf(e.getOriginalMessage()))
                    + ")", e);
        } catch (IOException e) {
            throw new RootfsException(what + " cannot be read: " + e.getMessage(), e);
        }
    }
}
