package dev.sandlot.apply;

import dev.sandlot.source.SecretFiles;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code spec.process.envFrom}: host files of {@code KEY=VALUE} lines, so that a manifest (and the
 * repository it lives in) holds references to secrets, never their values.
 *
 * <p>The format is Docker's {@code --env-file}, without its pass-through of host variables: one
 * {@code KEY=VALUE} per line; the value is everything after the first {@code =}, taken literally
 * (no quotes removed, no {@code $} expansion, no escapes); blank lines and lines whose first
 * non-blank character is {@code #} are skipped; a trailing CR is dropped. Keys are
 * {@code [A-Za-z_][A-Za-z0-9_]*}. A key set twice takes the later value, a later file wins over
 * an earlier one, and the manifest's {@code env} wins over all of them.
 *
 * <p>Each file is checked like a private key (see {@link SecretFiles}). Messages name the file and
 * the line, never a value.
 */
final class EnvFiles {
    static final int MAX_BYTES = 1 << 20;
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private EnvFiles() {
    }

    /** A file that cannot be used; the message never holds a value. */
    static final class EnvFileException extends Exception {
        private static final long serialVersionUID = 1L;

        EnvFileException(String message) {
            super(message);
        }
    }

    /** The variables of every file, in order (later wins), then {@code env} over them. */
    static Map<String, String> merge(List<String> envFrom, Map<String, String> env, List<Path> secretDirs)
            throws EnvFileException {
        Map<String, String> merged = new LinkedHashMap<>();
        for (String file : envFrom) {
            Path path = Path.of(file);
            requireInSecretDirs(path, secretDirs);
            merged.putAll(read(path));
        }
        merged.putAll(env);
        return merged;
    }

    /**
     * An envFrom file must lie in one of the configured secret folders, as written and once every
     * symlink on the way is resolved: a manifest (perhaps from a repository) can name the secrets
     * set aside for sandboxes, never some other root-only file of the host.
     */
    static void requireInSecretDirs(Path file, List<Path> secretDirs) throws EnvFileException {
        Path written = file.toAbsolutePath().normalize();
        Path real;
        try {
            real = written.getParent() == null ? written : written.getParent().toRealPath().resolve(written.getFileName());
        } catch (java.io.IOException e) {
            real = written; // missing: reading it reports that
        }
        for (Path dir : secretDirs) {
            Path allowed = dir.toAbsolutePath().normalize();
            Path allowedReal;
            try {
                allowedReal = allowed.toRealPath();
            } catch (java.io.IOException e) {
                allowedReal = allowed;
            }
            if (written.startsWith(allowed) && real.startsWith(allowedReal)) {
                return;
            }
        }
        throw new EnvFileException(file + ": not under a secret folder " + secretDirs
                + "; put the file there (secretDirs in the config file lists them)");
    }

    static Map<String, String> read(Path file) throws EnvFileException {
        byte[] bytes;
        try {
            bytes = SecretFiles.read(file, MAX_BYTES);
        } catch (SecretFiles.UnsafeFileException e) {
            throw new EnvFileException(e.getMessage());
        }
        return parse(file.toString(), bytes);
    }

    static Map<String, String> parse(String name, byte[] bytes) throws EnvFileException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new EnvFileException(name + ": not UTF-8 text");
        }
        Map<String, String> vars = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String trimmed = line.stripLeading();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            String where = name + ":" + (i + 1) + ": ";
            if (eq < 0) {
                throw new EnvFileException(where + "not KEY=VALUE (a line without '=')");
            }
            String key = trimmed.substring(0, eq);
            if (!KEY.matcher(key).matches()) {
                throw new EnvFileException(where + "not a variable name before '=' (letters, digits and _,"
                        + " not starting with a digit)");
            }
            String value = trimmed.substring(eq + 1);
            if (value.indexOf('\0') >= 0) {
                throw new EnvFileException(where + key + ": the value holds a NUL byte");
            }
            vars.put(key, value);
        }
        return vars;
    }
}
