package dev.sandlot.state;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * sandlot's records on disk, the only memory that survives a crash or a reboot:
 *
 * <pre>
 * STATE/format-version                                   "1"
 * STATE/sandboxes/ID/sandbox.json                        {@link SandboxRecord}, written before anything is created
 * STATE/sandboxes/ID/attachment-NN-IFNAME-NETWORK.json   {@link AttachmentRecord}, one per CNI attachment
 * STATE/sandboxes/ID/bundle/config.json                  the OCI bundle runsc runs
 * STATE/logs/NAME.log                                    the sandbox's stdout/stderr, kept after teardown
 * </pre>
 *
 * sandlot owns exactly the ids that have a directory here. Every write is atomic.
 */
public final class StateStore {
    /** The on-disk format this version writes; older formats must stay readable. */
    public static final int FORMAT = 1;

    private static final Pattern PID = Pattern.compile("\\d{1,9}");
    private static final Pattern ATTACHMENT_FILE =
            Pattern.compile("attachment-(\\d{2,4})-([A-Za-z0-9_.-]+?)-([a-zA-Z0-9][a-zA-Z0-9_.-]*)\\.json");
    static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private final Path stateDir;
    /** Pid files read by {@link #findByPid}, by id (only ids whose record folder still exists). */
    private final java.util.Map<SandboxId, Integer> knownPids = new java.util.concurrent.ConcurrentHashMap<>();
    private final RecordMemo<SandboxRecord> records = new RecordMemo<>(SandboxRecord.class);
    private final RecordMemo<AttachmentRecord> attachmentRecords = new RecordMemo<>(AttachmentRecord.class);

    public StateStore(Path stateDir) {
        this.stateDir = stateDir;
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Creates the layout and stamps (or checks) the format version. */
    public void init() throws IOException {
        Files.createDirectories(sandboxesDir());
        Files.createDirectories(logsDir());
        Path version = stateDir.resolve("format-version");
        if (Files.exists(version)) {
            String text = Files.readString(version, StandardCharsets.UTF_8).trim();
            int found;
            try {
                found = Integer.parseInt(text);
            } catch (NumberFormatException e) {
                throw new IOException(version + " is not a format version number; restore it or remove "
                        + stateDir + " after tearing the sandboxes down by hand");
            }
            if (found > FORMAT) {
                throw new IOException(stateDir + " was written by a newer sandlot (format " + found
                        + ", this one reads up to " + FORMAT + "); upgrade sandlot");
            }
        } else {
            AtomicFiles.write(version, (FORMAT + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    Path sandboxesDir() {
        return stateDir.resolve("sandboxes");
    }

    Path logsDir() {
        return stateDir.resolve("logs");
    }

    public Path sandboxDir(SandboxId id) {
        return sandboxesDir().resolve(id.value());
    }

    public Path bundleDir(SandboxId id) {
        return sandboxDir(id).resolve("bundle");
    }

    /** Where runsc writes the sandbox's pid at start. */
    public Path pidFile(SandboxId id) {
        return sandboxDir(id).resolve("pid");
    }

    public Path logFile(String name) {
        return logsDir().resolve(name + ".log");
    }

    public void writeSandbox(SandboxRecord record) throws IOException {
        SandboxId id = new SandboxId(record.id());
        AtomicFiles.write(sandboxDir(id).resolve("sandbox.json"), JSON.writeValueAsBytes(record));
    }

    /**
     * Records how the process of {@code id} ended. The first record wins, except that a known exit
     * code completes a record that had none (a pass can see the zombie a moment before the
     * subreaper reaps it and learns the code); the first time is kept.
     */
    public synchronized void writeExit(SandboxId id, ExitRecord exit) throws IOException {
        Path file = sandboxDir(id).resolve("exit.json");
        if (!Files.isDirectory(sandboxDir(id))) {
            return;
        }
        if (Files.exists(file)) {
            ExitRecord old;
            try {
                old = JSON.readValue(Files.readAllBytes(file), ExitRecord.class);
            } catch (IOException e) {
                old = null;
            }
            if (old != null && (old.exitCode() != null || exit.exitCode() == null)) {
                return;
            }
            exit = new ExitRecord(exit.exitCode(), old == null ? exit.at() : old.at());
        }
        AtomicFiles.write(file, JSON.writeValueAsBytes(exit));
    }

    public void writeAttachment(SandboxId id, AttachmentRecord record) throws IOException {
        AtomicFiles.write(sandboxDir(id).resolve(fileName(record)), JSON.writeValueAsBytes(record));
    }

    public void deleteAttachment(SandboxId id, StoredAttachment attachment) throws IOException {
        Files.deleteIfExists(sandboxDir(id).resolve(attachment.fileName()));
    }

    /** Drops every record of an id: the last step of teardown. */
    public void deleteSandbox(SandboxId id) throws IOException {
        Path dir = sandboxDir(id);
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        AtomicFiles.fsyncDirectory(sandboxesDir());
    }

    static String fileName(AttachmentRecord r) {
        return String.format("attachment-%02d-%s-%s.json", r.index(), r.ifname(), r.network());
    }

    /** Every id with a directory here, each read on its own: one corrupt record never hides another. */
    public List<StoredSandbox> loadAll() throws IOException {
        List<StoredSandbox> all = new ArrayList<>();
        if (!Files.isDirectory(sandboxesDir())) {
            records.retainOnly(Set.of());
            attachmentRecords.retainOnly(Set.of());
            return all;
        }
        Set<Path> seen = new HashSet<>();
        Set<Path> seenAttachments = new HashSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sandboxesDir())) {
            for (Path dir : dirs) {
                Optional<SandboxId> id = SandboxId.parse(dir.getFileName().toString());
                if (id.isPresent() && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    StoredSandbox loaded = load(id.get());
                    all.add(loaded);
                    seen.add(dir.resolve("sandbox.json"));
                    loaded.attachments().forEach(a -> seenAttachments.add(dir.resolve(a.fileName())));
                }
            }
        }
        records.retainOnly(seen);
        attachmentRecords.retainOnly(seenAttachments);
        knownPids.keySet().retainAll(all.stream().map(StoredSandbox::id).collect(Collectors.toSet()));
        all.sort(Comparator.comparing(StoredSandbox::id));
        return all;
    }

    public StoredSandbox load(SandboxId id) throws IOException {
        Path dir = sandboxDir(id);
        SandboxRecord record = null;
        List<String> problems = new ArrayList<>();
        try {
            Path file = dir.resolve("sandbox.json");
            record = records.read(file, Files.readAllBytes(file), JSON);
        } catch (NoSuchFileException e) {
            problems.add("sandbox record missing");
        } catch (IOException e) {
            problems.add("sandbox record unreadable (" + e.getClass().getSimpleName() + ")");
        }
        List<StoredAttachment> attachments = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String fileName = file.getFileName().toString();
                    if (!fileName.startsWith("attachment-")) {
                        continue;
                    }
                    Matcher m = ATTACHMENT_FILE.matcher(fileName);
                    if (!m.matches()) {
                        continue;
                    }
                    AttachmentRecord attachment = null;
                    try {
                        attachment = attachmentRecords.read(file, Files.readAllBytes(file), JSON);
                        if (attachment.configBase64() == null) {
                            attachment = null;
                        }
                    } catch (IOException | IllegalArgumentException e) {
                        problems.add("attachment record " + file.getFileName() + " unreadable");
                    }
                    attachments.add(new StoredAttachment(file.getFileName().toString(),
                            Integer.parseInt(m.group(1)), m.group(3), m.group(2), attachment));
                }
            }
        }
        attachments.sort(Comparator.comparingInt(StoredAttachment::index));
        ExitRecord exit = null;
        Path exitFile = dir.resolve("exit.json");
        try {
            // Looked for first: it is usually absent, and an exception per sandbox per pass costs
            // more than the stat.
            if (Files.exists(exitFile, LinkOption.NOFOLLOW_LINKS)) {
                exit = JSON.readValue(Files.readAllBytes(exitFile), ExitRecord.class);
            }
        } catch (NoSuchFileException e) {
            // still running, or never seen ending
        } catch (IOException e) {
            problems.add("exit record unreadable");
        }
        return new StoredSandbox(id, record, attachments, exit, knownPid(id), problems);
    }

    /** The pid file of an id is read until it exists, then remembered: runsc writes it once per id. */
    private Integer knownPid(SandboxId id) {
        Integer known = knownPids.get(id);
        if (known == null) {
            known = readPid(id);
            if (known != null) {
                knownPids.put(id, known);
            }
        }
        return known;
    }

    /** The pid runsc wrote for this id, or null: not started (yet), or by a sandlot that wrote none. */
    private Integer readPid(SandboxId id) {
        try {
            String text = Files.readString(pidFile(id), StandardCharsets.UTF_8).trim();
            return PID.matcher(text).matches() ? Integer.valueOf(text) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The id whose pid file names {@code pid}, if any. Cheap enough to ask for every process a
     * subreaper collects (a gofer, a sandbox, any orphan): one listing of the records folder, and a
     * pid file read only for ids not seen with one before, since runsc writes it once per id.
     * Loading every record instead cost O(sandboxes) JSON reads per exit: 1.8 s of CPU to tear
     * down 100 sandboxes (bench/README.md).
     */
    public Optional<SandboxId> findByPid(int pid) throws IOException {
        SandboxId found = null;
        java.util.Set<SandboxId> present = new java.util.HashSet<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sandboxesDir())) {
            for (Path dir : dirs) {
                Optional<SandboxId> id = SandboxId.parse(dir.getFileName().toString());
                if (id.isEmpty()) {
                    continue;
                }
                present.add(id.get());
                Integer known = knownPid(id.get());
                if (known != null && known == pid) {
                    found = id.get();
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        knownPids.keySet().retainAll(present);
        return Optional.ofNullable(found);
    }
}
