package dev.sandlot.status;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.sandlot.state.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code RUN_DIR/status.json}: what the daemon (or the last {@code apply}) recorded, written
 * atomically so that {@code sandlot status} can read it at any moment from another process.
 */
public final class StatusFile {
    public static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /**
     * The file's content.
     *
     * @param source where the desired state came from: with git, the applied commit and when it
     *               was applied; null in files written before it existed
     */
    public record Content(Instant writtenAt, long pid, List<SandboxStatus> sandboxes,
            Map<String, StatusBuilder.History> history, Map<String, List<String>> fileErrors,
            dev.sandlot.source.SourceStatus source) {

        public Content(Instant writtenAt, long pid, List<SandboxStatus> sandboxes,
                Map<String, StatusBuilder.History> history, Map<String, List<String>> fileErrors) {
            this(writtenAt, pid, sandboxes, history, fileErrors, null);
        }
    }

    private final Path file;

    public StatusFile(Path runDir) {
        this.file = runDir.resolve("status.json");
    }

    public void write(Content content) throws IOException {
        AtomicFiles.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(content));
    }

    /** The history part, or none when there is no file or it cannot be read (status is advisory). */
    public Map<String, StatusBuilder.History> readHistory() {
        try {
            Content c = JSON.readValue(Files.readAllBytes(file), Content.class);
            return c.history() == null ? Map.of() : new TreeMap<>(c.history());
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** The rows as last written, or none when there is no file or it cannot be read. */
    public List<SandboxStatus> readSandboxes() {
        try {
            List<SandboxStatus> rows = JSON.readValue(Files.readAllBytes(file), Content.class).sandboxes();
            return rows == null ? List.of() : rows;
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The source part, or null when there is none or the file cannot be read. */
    public dev.sandlot.source.SourceStatus readSource() {
        try {
            return JSON.readValue(Files.readAllBytes(file), Content.class).source();
        } catch (IOException e) {
            return null;
        }
    }

    public Path path() {
        return file;
    }
}
