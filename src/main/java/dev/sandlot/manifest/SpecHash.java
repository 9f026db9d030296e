package dev.sandlot.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes the validated spec, not the text: canonical JSON (sorted keys, defaults applied) through
 * SHA-256. Formatting, comments, key order and labels therefore never change it.
 *
 * <p>The hash of a running sandbox's spec must survive upgrades, or an upgrade would replace every
 * sandbox. So the JSON of the first release's components is kept exactly (nulls included: no
 * mapper-wide inclusion rule, which would drop {@code "archive":null} and change every hash), and
 * each component added later carries {@code @JsonInclude} (NON_NULL, NON_EMPTY, or NON_DEFAULT
 * for a boolean) and holds its absent value when unused, so it leaves no trace then. A component
 * added in future must do the same; {@code SpecHashTest} pins the old canonical JSON and hash.
 */
public final class SpecHash {
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private SpecHash() {
    }

    public static String of(SandboxSpec spec) {
        try {
            byte[] json = CANONICAL.writeValueAsBytes(spec);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(json);
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash a sandbox spec", e);
        }
    }

    /** The canonical JSON the hash is computed from; stored in records so a spec can be recovered. */
    public static String canonicalJson(SandboxSpec spec) {
        try {
            return new String(CANONICAL.writeValueAsBytes(spec), StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a sandbox spec", e);
        }
    }
}
