package dev.sandlot.source;

import dev.sandlot.manifest.ManifestFile;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Each manifest file's last parse, remembered by its exact bytes. The daemon re-reads every file on
 * every relist (to catch what inotify missed), but parsing and validating is most of a no-op pass's
 * CPU: bytes that did not change get the same answer, because parsing is a pure function of the
 * file's name, its bytes and the daemon's fixed mount allow-list. Keyed by content rather than by
 * mtime or size, so no edit can slip past it.
 */
final class ParseMemo {
    private record Entry(byte[] content, FileResult result) {
    }

    private final Map<String, Entry> byName = new HashMap<>();

    /** The parse of {@code file}: remembered when its bytes are unchanged, else {@code parser}'s. */
    synchronized FileResult parse(ManifestFile.Loaded file, Function<ManifestFile.Loaded, FileResult> parser) {
        String name = file.path().toString();
        Entry known = byName.get(name);
        if (known != null && Arrays.equals(known.content(), file.content())) {
            return known.result();
        }
        FileResult result = parser.apply(file);
        byName.put(name, new Entry(file.content(), result));
        return result;
    }

    /** Forgets files that are gone, so the memo never outgrows the folder. */
    synchronized void retainOnly(Set<String> names) {
        byName.keySet().retainAll(names);
    }

    synchronized int size() {
        return byName.size();
    }
}
