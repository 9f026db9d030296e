package dev.sandlot.manifest;

import java.util.List;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;

/**
 * Turns snakeyaml's syntax errors into messages that never quote the file: snakeyaml's own texts
 * embed the offending characters and a snippet of the line, so only known, fixed phrases are kept.
 */
final class SyntaxMessages {
    /** Known fixed beginnings of snakeyaml problems, longest first where one extends another. */
    private static final List<String> KNOWN = List.of(
            "could not find expected ':'",
            "mapping values are not allowed here",
            "mapping keys are not allowed here",
            "sequence entries are not allowed here",
            "found unexpected end of stream",
            "found unexpected document separator",
            "found unknown escape character",
            "expected escape sequence",
            "expected <block end>",
            "expected the node content",
            "expected ',' or ']'",
            "expected ',' or '}'",
            "expected a comment or a line break",
            "expected alphabetic or numeric character",
            "expected chomping or indentation indicators",
            "expected indentation indicator",
            "expected <document start>",
            "did not find expected <document start>",
            "did not find expected key",
            "did not find expected '-' indicator",
            "found undefined tag handle",
            "found duplicate YAML directive",
            "found incompatible YAML document",
            "A simple key is required only if it is the first token in the current line");
    private static final Pattern SAFE_CONTEXT = Pattern.compile("while (scanning|parsing) an? [a-z -]{1,40}");

    private SyntaxMessages() {
    }

    static String describe(String context, Mark contextMark, String problem) {
        String what = "invalid YAML syntax";
        if (problem != null) {
            if (problem.contains("cannot start any token") && problem.contains("TAB")) {
                what = "a tab character cannot start a token (indent with spaces)";
            } else if (problem.contains("cannot start any token")) {
                what = "a character that cannot start any token";
            } else {
                for (String known : KNOWN) {
                    if (problem.startsWith(known)) {
                        what = known;
                        break;
                    }
                }
            }
        }
        String message = "YAML syntax: " + what;
        if (context != null && SAFE_CONTEXT.matcher(context).matches()) {
            message += " (" + context
                    + (contextMark == null ? "" : " started at line " + (contextMark.getLine() + 1)) + ")";
        }
        return message;
    }
}
