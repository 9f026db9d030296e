package dev.sandlot.manifest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The sandbox's single process: an argv list (never a shell string), its cwd, env and user. */
public record ProcessSpec(List<String> args, String cwd, Map<String, String> env, User user) {
    public ProcessSpec {
        args = List.copyOf(args);
        env = java.util.Collections.unmodifiableMap(new TreeMap<>(env));
    }

    public record User(long uid, long gid) {
        public static final User ROOT = new User(0, 0);
    }
}
