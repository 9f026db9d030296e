package dev.sandlot.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each record file's last parse, remembered by its exact bytes. Every pass of the daemon loads
 * every record (a no-op resync over 100 sandboxes re-reads ~100 sandbox records and ~200 CNI
 * attachment records); reading the bytes is cheap, parsing them (a whole spec, a CNI result) is
 * most of the cost. Keyed by content, so a record rewritten or damaged from outside is parsed
 * again. Only for records nobody changes: callers share the value.
 */
final class RecordMemo<T> {
    private record Entry<T>(byte[] bytes, T record) {
    }

    private final Class<T> type;
    private final Map<Path, Entry<T>> byFile = new ConcurrentHashMap<>();

    RecordMemo(Class<T> type) {
        this.type = type;
    }

    T read(Path file, byte[] bytes, ObjectMapper json) throws IOException {
        Entry<T> known = byFile.get(file);
        if (known != null && Arrays.equals(known.bytes(), bytes)) {
            return known.record();
        }
        T record = json.readValue(bytes, type);
        byFile.put(file, new Entry<>(bytes, record));
        return record;
    }

    /**
     * Forgets records that are gone, so the memo never outgrows the state folder. A set: each
     * remembered file is looked up in it (a list made this quadratic, 40,000 path comparisons per
     * pass over 100 sandboxes).
     */
    void retainOnly(Set<Path> files) {
        byFile.keySet().retainAll(files);
    }

    int size() {
        return byFile.size();
    }
}
