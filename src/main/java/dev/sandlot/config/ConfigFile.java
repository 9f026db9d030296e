package dev.sandlot.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Reads {@code /etc/sandlot/config.yaml}. Every key is optional and overrides the default; the
 * command line overrides the file. Unknown keys and duplicate keys are errors (a typo must not be
 * silently ignored). See {@code packaging/config.yaml} for every key with its default.
 */
public final class ConfigFile {
    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** The file's keys; null means "not set here". */
    public record Content(
            String manifests,
            String stateDir,
            String runDir,
            String cniConfDir,
            List<String> cniBinDirs,
            String runsc,
            List<String> runscFlags,
            List<String> mountAllowList,
            Integer parallelism,
            String resyncInterval,
            String metricsAddress,
            CrashLoop crashLoopBackoff,
            String hostName,
            java.util.Map<String, String> hostLabels,
            Git git,
            List<String> secretDirs,
            String logFormat) {
    }

    /** The daemon's log layouts ({@code logFormat}, {@code sandlot run --log-format}). */
    public static final List<String> LOG_FORMATS = List.of("text", "json");

    /** A checked log format; {@code where} names the key or option in the error. */
    public static String logFormat(String value, String where) throws ConfigException {
        if (!LOG_FORMATS.contains(value)) {
            throw new ConfigException(where + ": " + value + " is not a log format (text or json)");
        }
        return value;
    }

    /** {@code git: {url, ref, path, interval, credentialsFile, knownHostsFile, allowEmpty}}; see {@link GitSettings}. */
    public record Git(String url, String ref, String path, String interval, String credentialsFile,
            String knownHostsFile, Boolean allowEmpty) {
    }

    /** The checked {@code hostLabels}, or null when not set: keys and values like Kubernetes label values. */
    public static java.util.Map<String, String> hostLabels(Content content) throws ConfigException {
        if (content.hostLabels() == null) {
            return null;
        }
        for (java.util.Map.Entry<String, String> e : content.hostLabels().entrySet()) {
            if (e.getValue() == null || !e.getKey().matches("[A-Za-z0-9]([A-Za-z0-9_./-]{0,61}[A-Za-z0-9])?")
                    || !e.getValue().matches("([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?")) {
                throw new ConfigException("hostLabels: " + e.getKey() + ": keys and values of letters, digits, '-', '_',"
                        + " '.' (at most 63, beginning and ending with a letter or digit)");
            }
        }
        return content.hostLabels();
    }

    /** The checked {@code git:} section, or null when there is none. */
    public static GitSettings git(Content content) throws ConfigException {
        return content.git() == null ? null : GitSettings.from(content.git());
    }

    /** {@code crashLoopBackoff: {initial: 10s, max: 5m, resetAfter: 10m}}. */
    public record CrashLoop(String initial, String max, String resetAfter) {
    }

    private ConfigFile() {
    }

    public static Content read(Path file) throws ConfigException {
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length > 1 << 20) {
                throw new ConfigException(file + ": larger than 1 MiB; this is not a sandlot config file");
            }
            // A file of comments only is a valid config that sets nothing.
            com.fasterxml.jackson.databind.JsonNode tree = YAML.readTree(bytes);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                return empty();
            }
            return YAML.readValue(bytes, Content.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? file.toString() : file + ":" + at.getLineNr() + ":" + at.getColumnNr();
            if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
                // Jackson places this at the end of the document; name the key's own line.
                int line = lineOf(file, u.getPropertyName());
                where = line > 0 ? file + ":" + line + ":1" : where;
                throw new ConfigException(where + ": unknown key " + u.getPropertyName()
                        + " (see packaging/config.yaml for every key)");
            }
            throw new ConfigException(where + ": " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static int lineOf(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            java.util.regex.Pattern p = java.util.regex.Pattern.compile("^\\s*" + java.util.regex.Pattern.quote(key) + "\\s*:");
            for (int i = 0; i < lines.size(); i++) {
                if (p.matcher(lines.get(i)).find()) {
                    return i + 1;
                }
            }
        } catch (IOException e) {
            // fall back to Jackson's location
        }
        return -1;
    }

    public static Content empty() {
        return new Content(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null);
    }

    /** Parses "30s", "5m", "2h", "500ms" or a bare number of seconds. */
    static final Duration MAX_DURATION = Duration.ofDays(365);

    public static Duration parseDuration(String text, String key) throws ConfigException {
        String t = text.trim();
        try {
            if (t.matches("\\d+")) {
                return Duration.ofSeconds(Long.parseLong(t));
            }
            if (t.matches("\\d+ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.matches("\\d+[smh]")) {
                long n = Long.parseLong(t.substring(0, t.length() - 1));
                Duration d = switch (t.charAt(t.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
                if (d.compareTo(MAX_DURATION) > 0) {
                    throw new ConfigException(key + ": longer than a year; write something like 30s, 5m, 2h");
                }
                return d;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // falls through to the error below
        }
        throw new ConfigException(key + ": not a duration (write it like 30s, 5m, 500ms)");
    }
}
