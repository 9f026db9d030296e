package dev.sandlot.state;

import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The id of one incarnation of a sandbox: {@code sandlot-<name>.<token>}. It names the runsc
 * container, the CNI container and the netns at once.
 *
 * <p>Why this shape: this runsc resolves ids by prefix, so {@code sandlot-web} could not be
 * addressed while {@code sandlot-web2} exists. Names cannot contain '.', and the token has a fixed
 * width, so no id is ever a prefix of another. A new token per incarnation means a recreated
 * sandbox never meets a CNI cache entry or IP lease of the one it replaced.
 */
public record SandboxId(String value) implements Comparable<SandboxId> {
    public static final String PREFIX = "sandlot-";
    static final int TOKEN_LENGTH = 8;
    private static final Pattern SHAPE =
            Pattern.compile("sandlot-([a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?)\\.([0-9a-f]{" + TOKEN_LENGTH + "})");
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    public SandboxId {
        if (!SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException("not a sandlot sandbox id: " + value.length() + " chars");
        }
    }

    public static SandboxId newFor(String name, RandomGenerator random) {
        char[] token = new char[TOKEN_LENGTH];
        for (int i = 0; i < token.length; i++) {
            token[i] = HEX[random.nextInt(16)];
        }
        return new SandboxId(PREFIX + name + "." + new String(token));
    }

    /** The id if {@code text} has the exact shape of one, else empty (never an exception). */
    public static Optional<SandboxId> parse(String text) {
        return SHAPE.matcher(text).matches() ? Optional.of(new SandboxId(text)) : Optional.empty();
    }

    public String name() {
        Matcher m = SHAPE.matcher(value);
        m.matches();
        return m.group(1);
    }

    /** The cgroup runsc puts this sandbox in: outside the daemon's own, so it outlives the daemon. */
    public String cgroupsPath() {
        return "/sandlot/" + value;
    }

    @Override
    public int compareTo(SandboxId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
