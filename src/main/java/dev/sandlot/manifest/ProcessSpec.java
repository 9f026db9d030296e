package dev.sandlot.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The sandbox's single process: an argv list (never a shell string), its cwd, env and user.
 *
 * <p>With a {@link Rootfs#path() path} or {@link Rootfs#archive() archive} rootfs, {@code args} is
 * never empty, {@code cwd} defaults to "/" and {@code user} to {@link User#ROOT}. With an
 * {@link Rootfs#image() image} rootfs, the image config fills in what the manifest does not say,
 * as in Kubernetes: {@code args} empty means the image's Entrypoint followed by its Cmd (non-empty
 * args are the whole argv and replace both, as a Kubernetes {@code command} does); {@code cwd} null means the image's WorkingDir, else
 * "/"; {@code user} null means the image's User, else 0:0; {@code env} is laid over the image's Env
 * (the manifest wins for a name both set).
 *
 * @param envFrom absolute paths of host files of {@code KEY=VALUE} lines, applied in order before
 *                {@code env} (so {@code env} wins); []: none. Syntax only is checked here: that they
 *                exist and are root-only is checked at apply time, not by validate
 */
public record ProcessSpec(
        List<String> args,
        String cwd,
        Map<String, String> env,
        User user,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> envFrom) {

    public ProcessSpec {
        args = List.copyOf(args);
        env = java.util.Collections.unmodifiableMap(new TreeMap<>(env));
        envFrom = envFrom == null ? List.of() : List.copyOf(envFrom);
    }

    /** A process without {@code envFrom}, as before that field existed. */
    public ProcessSpec(List<String> args, String cwd, Map<String, String> env, User user) {
        this(args, cwd, env, user, List.of());
    }

    /** This process with {@code env} as its whole environment and no {@code envFrom} (the files read into it). */
    public ProcessSpec withEnv(Map<String, String> env) {
        return new ProcessSpec(args, cwd, env, user, List.of());
    }

    public record User(long uid, long gid) {
        public static final User ROOT = new User(0, 0);
    }
}
