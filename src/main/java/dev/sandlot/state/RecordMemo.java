package dev.sandlot.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each sandbox record's last parse, remembered by its exact bytes. Every pass of the daemon loads
 * every record (a no-op resync over 100 sandboxes re-reads ~100 of them); reading the bytes is
 * cheap, parsing them into a {@link SandboxRecord} with its whole spec is most of the cost. Keyed by
 * content, so a record rewritten or damaged from outside is parsed again. Only for immutable
 * records: callers share the value.
 */
final class RecordMemo {
    private record Entry(byte[] bytes, SandboxRecord record) {
    }

    private final Map<Path, Entry> byFile = new ConcurrentHashMap<>();

    SandboxRecord read(Path file, byte[] bytes, ObjectMapper json) throws IOException {
        Entry known = byFile.get(file);
        if (known != null && Arrays.equals(known.bytes(), bytes)) {
            return known.record();
        }
        SandboxRecord record = json.readValue(bytes, SandboxRecord.class);
        byFile.put(file, new Entry(bytes, record));
        return record;
    }

    /** Forgets records that are gone, so the memo never outgrows the state folder. */
    void retainOnly(Collection<Path> files) {
        byFile.keySet().retainAll(files);
    }

    int size() {
        return byFile.size();
    }
}
