package dev.sandlot.manifest;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.DocumentStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Reads YAML into {@link YamlNode} trees from snakeyaml's low-level <em>event</em> stream, so that
 * no snakeyaml or Jackson construction ever runs: nothing is instantiated from a tag, no alias is
 * expanded, no scalar is typed by YAML 1.1 rules (RELIABILITY.md §A).
 *
 * <p>Refused outright, with a located error: anchors, aliases, explicit tags, merge keys,
 * duplicate keys at any depth, non-scalar keys, directives. Limits are checked before and while
 * reading, so hostile input ends in an error, never a StackOverflowError or an OutOfMemoryError.
 * Each {@code ---} document is one manifest; empty documents are skipped.
 */
final class SafeYaml {
    static final int MAX_FILE_BYTES = 256 * 1024;
    static final int MAX_DEPTH = 32;
    static final int MAX_SCALAR_CHARS = 16 * 1024;
    static final int MAX_NODES = 50_000;
    static final int MAX_DOCUMENTS = 100;
    static final int MAX_ERRORS = 100;

    /** @param clean false when reading this document already produced an error */
    record Document(YamlNode root, boolean clean) {
    }

    /** @param complete false when reading stopped early (syntax error, limit): later documents are unknown */
    record Stream(List<Document> documents, List<ManifestError> errors, boolean complete) {
    }

    private final String file;
    private final List<Document> documents = new ArrayList<>();
    private final List<ManifestError> errors = new ArrayList<>();
    private final Deque<Frame> stack = new ArrayDeque<>();
    private int nodes;
    private int documentCount;
    private YamlNode root;
    private boolean documentClean;

    private SafeYaml(String file) {
        this.file = file;
    }

    static Stream read(String file, byte[] content) {
        SafeYaml reader = new SafeYaml(file);
        boolean complete;
        try {
            reader.readAll(content);
            complete = true;
        } catch (Stop stop) {
            complete = false;
        }
        return new Stream(List.copyOf(reader.documents), List.copyOf(reader.errors), complete);
    }

    private void readAll(byte[] content) {
        if (content.length > MAX_FILE_BYTES) {
            fatal(1, 1, "", "file is larger than " + MAX_FILE_BYTES / 1024 + " KiB");
        }
        String text = decodeUtf8(content);
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_FILE_BYTES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setMaxAliasesForCollections(0);
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setProcessComments(false);
        options.setTagInspector(tag -> false);
        Parser parser = new ParserImpl(new StreamReader(text), options);
        int[] lastEnd = {1, 1};
        while (true) {
            Event event = nextEvent(parser, text, lastEnd);
            if (event == null || event.getEventId() == Event.ID.StreamEnd) {
                return;
            }
            lastEnd[0] = event.getEndMark().getLine() + 1;
            lastEnd[1] = event.getEndMark().getColumn() + 1;
            onEvent(event);
        }
    }

    /** The parser's next event; its failures, whatever their type, become one located error. */
    private Event nextEvent(Parser parser, String text, int[] lastEnd) {
        try {
            return parser.getEvent();
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            int line = mark == null ? lastEnd[0] : mark.getLine() + 1;
            int column = mark == null ? lastEnd[1] : mark.getColumn() + 1;
            fatal(line, column, "", SyntaxMessages.describe(e.getContext(), e.getContextMark(), e.getProblem()));
        } catch (ReaderException e) {
            int[] at = lineColumnOfCodePoint(text, e.getPosition());
            fatal(at[0], at[1], "", String.format(
                    "control or non-printable character U+%04X is not allowed (escape it in a double-quoted string)",
                    e.getCodePoint()));
        } catch (YAMLException e) {
            fatal(lastEnd[0], lastEnd[1], "", "the YAML stream was rejected (it exceeds a reader limit)");
        } catch (RuntimeException e) {
            // snakeyaml lets a few malformed inputs out as plain exceptions (a bad escape gives a
            // NumberFormatException); they are still syntax errors, found after the last good event.
            fatal(lastEnd[0], lastEnd[1], "", "YAML syntax: invalid YAML syntax after this point");
        }
        return null;
    }

    private void onEvent(Event event) {
        int line = event.getStartMark().getLine() + 1;
        int column = event.getStartMark().getColumn() + 1;
        switch (event.getEventId()) {
            case StreamStart -> { }
            case DocumentStart -> startDocument((DocumentStartEvent) event, line, column);
            case DocumentEnd -> endDocument();
            case MappingStart, SequenceStart -> startCollection((CollectionStartEvent) event, line, column);
            case MappingEnd, SequenceEnd -> endCollection();
            case Scalar -> scalar((ScalarEvent) event, line, column);
            case Alias -> alias((AliasEvent) event, line, column);
            default -> { } // comments are not requested; nothing else carries content
        }
    }

    private void startDocument(DocumentStartEvent event, int line, int column) {
        documentCount++;
        if (documentCount > MAX_DOCUMENTS) {
            fatal(line, column, "", "more than " + MAX_DOCUMENTS + " documents in one file");
        }
        root = null;
        documentClean = true;
        if (event.getVersion() != null || (event.getTags() != null && !event.getTags().isEmpty())) {
            error(line, column, "", "YAML directives (%YAML, %TAG) are not supported");
        }
    }

    private void endDocument() {
        boolean empty = root instanceof YamlNode.Scalar s && s.plain() && s.text().isEmpty();
        if (root != null && !empty) {
            documents.add(new Document(root, documentClean));
        }
        root = null;
    }

    private void startCollection(CollectionStartEvent event, int line, int column) {
        String path = childPath();
        countNode(line, column, path);
        if (stack.size() + 1 > MAX_DEPTH) {
            fatal(line, column, path, "nested deeper than " + MAX_DEPTH + " levels");
        }
        checkAnchorAndTag(event, event.getTag(), line, column, path);
        boolean mapping = event.getEventId() == Event.ID.MappingStart;
        stack.push(new Frame(mapping, line, column, path));
    }

    private void endCollection() {
        Frame frame = stack.pop();
        attach(frame.mapping
                ? new YamlNode.Mapping(frame.line, frame.column, frame.entries)
                : new YamlNode.Sequence(frame.line, frame.column, frame.items));
    }

    private void scalar(ScalarEvent event, int line, int column) {
        String path = childPath();
        countNode(line, column, path);
        checkAnchorAndTag(event, event.getTag(), line, column, path);
        if (event.getValue().length() > MAX_SCALAR_CHARS) {
            error(line, column, path, "value is longer than " + MAX_SCALAR_CHARS / 1024 + " KiB");
            attach(new YamlNode.Rejected(line, column));
            return;
        }
        attach(new YamlNode.Scalar(line, column, event.getValue(), event.isPlain()));
    }

    private void alias(AliasEvent event, int line, int column) {
        String path = childPath();
        countNode(line, column, path);
        error(line, column, path, "aliases (*) are not allowed");
        attach(new YamlNode.Rejected(line, column));
    }

    private void checkAnchorAndTag(NodeEvent event, String tag, int line, int column, String path) {
        if (event.getAnchor() != null) {
            error(line, column, path, "anchors (&) are not allowed");
        }
        if (tag != null) {
            error(line, column, path, "tags (!) are not allowed");
        }
    }

    private void countNode(int line, int column, String path) {
        nodes++;
        if (nodes > MAX_NODES) {
            fatal(line, column, path, "more than " + MAX_NODES + " YAML nodes in one file");
        }
    }

    /** The field path of the node about to start: keys count as part of their mapping. */
    private String childPath() {
        Frame top = stack.peek();
        if (top == null) {
            return "";
        }
        if (!top.mapping) {
            return Text.index(top.path, top.items.size());
        }
        return top.expectingKey ? top.path : top.valuePath;
    }

    private void attach(YamlNode node) {
        Frame top = stack.peek();
        if (top == null) {
            root = node;
        } else if (!top.mapping) {
            top.items.add(node);
        } else if (top.expectingKey) {
            top.expectingKey = false;
            top.pendingKey = acceptKey(top, node);
            top.valuePath = top.pendingKey != null ? Text.child(top.path, top.pendingKey.text())
                    : node instanceof YamlNode.Scalar s ? Text.child(top.path, s.text()) : top.path + "[?]";
        } else {
            top.expectingKey = true;
            if (top.pendingKey != null) {
                top.entries.add(new YamlNode.Entry(top.pendingKey, node));
            }
        }
    }

    /** Returns the key, or null when it is refused (its value is then read and dropped). */
    private YamlNode.Scalar acceptKey(Frame mapping, YamlNode key) {
        if (key instanceof YamlNode.Rejected) {
            return null;
        }
        if (!(key instanceof YamlNode.Scalar scalar)) {
            error(key.line(), key.column(), mapping.path, "keys must be plain strings, not a mapping or list");
            return null;
        }
        if (scalar.plain() && scalar.text().equals("<<")) {
            error(key.line(), key.column(), mapping.path, "merge keys (<<) are not allowed");
            return null;
        }
        int[] first = mapping.seen.putIfAbsent(scalar.text(), new int[] {key.line(), key.column()});
        if (first != null) {
            error(key.line(), key.column(), Text.child(mapping.path, scalar.text()),
                    "duplicate key (first at line " + first[0] + ")");
            return null;
        }
        return scalar;
    }

    private void error(int line, int column, String path, String message) {
        documentClean = false;
        if (errors.size() >= MAX_ERRORS) {
            errors.add(new ManifestError(new Location(file, line, column), "",
                    "too many errors (more than " + MAX_ERRORS + "); stopped reading"));
            throw new Stop();
        }
        errors.add(new ManifestError(new Location(file, line, column), path, message));
    }

    private void fatal(int line, int column, String path, String message) {
        if (errors.size() < MAX_ERRORS + 1) {
            errors.add(new ManifestError(new Location(file, line, column), path, message));
        }
        throw new Stop();
    }

    private String decodeUtf8(byte[] content) {
        int start = content.length >= 3 && (content[0] & 0xff) == 0xef && (content[1] & 0xff) == 0xbb
                && (content[2] & 0xff) == 0xbf ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(content, start, content.length - start);
        CharBuffer out = CharBuffer.allocate(content.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        out.flip();
        String text = out.toString();
        if (result.isError()) {
            int[] at = lineColumnOfCodePoint(text, text.codePointCount(0, text.length()));
            fatal(at[0], at[1], "", "file is not valid UTF-8");
        }
        return text;
    }

    /** 1-based line and column (in code points) of the code point at {@code index}. */
    private static int[] lineColumnOfCodePoint(String text, int index) {
        int line = 1;
        int column = 1;
        int seen = 0;
        for (int i = 0; i < text.length() && seen < index; seen++) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
        return new int[] {line, column};
    }

    private static final class Frame {
        final boolean mapping;
        final int line;
        final int column;
        final String path;
        final List<YamlNode.Entry> entries = new ArrayList<>();
        final List<YamlNode> items = new ArrayList<>();
        final Map<String, int[]> seen = new HashMap<>();
        boolean expectingKey = true;
        YamlNode.Scalar pendingKey;
        String valuePath;

        Frame(boolean mapping, int line, int column, String path) {
            this.mapping = mapping;
            this.line = line;
            this.column = column;
            this.path = path;
        }
    }

    /** Ends reading early; the errors already say why. */
    private static final class Stop extends RuntimeException {
        Stop() {
            super(null, null, false, false);
        }
    }
}
