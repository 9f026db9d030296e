package dev.sandlot.rootfs;

import java.util.List;

/**
 * What an OCI image config says about the process ({@code config.Entrypoint}, {@code Cmd},
 * {@code Env}, {@code WorkingDir}, {@code User}); empty lists and strings where it says nothing.
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir,
        String user) {
    public static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), List.of(), "", "");

    public ImageConfig {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        workingDir = workingDir == null ? "" : workingDir;
        user = user == null ? "" : user;
    }
}
