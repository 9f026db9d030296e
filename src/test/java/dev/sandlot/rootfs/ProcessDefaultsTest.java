package dev.sandlot.rootfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.ProcessSpec.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image config fills in the process as Kubernetes fills in a container from its image. */
class ProcessDefaultsTest {
    @TempDir
    Path tree;

    @BeforeEach
    void etc() throws Exception {
        Files.createDirectories(tree.resolve("etc"));
        Files.writeString(tree.resolve("etc/passwd"), """
                root:x:0:0:root:/root:/bin/sh
                # a comment
                www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
                app:x:1000:1001::/app:/bin/sh
                broken line
                """);
        Files.writeString(tree.resolve("etc/group"), "root:x:0:\nwww-data:x:33:\nstaff:x:50:app\n");
    }

    private static ImageConfig image(List<String> entrypoint, List<String> cmd) {
        return new ImageConfig(entrypoint, cmd, List.of(), "", "");
    }

    private static ProcessSpec open() {
        return new ProcessSpec(List.of(), null, Map.of(), null);
    }

    private ProcessSpec resolve(ProcessSpec manifest, ImageConfig image) throws RootfsException {
        return ProcessDefaults.resolve(manifest, image, tree, Limits.DEFAULT);
    }

    private User user(String imageUser) throws RootfsException {
        return resolve(open(), new ImageConfig(List.of("/x"), List.of(), List.of(), "", imageUser)).user();
    }

    @Test
    void withoutArgsTheEntrypointRunsWithTheCmdAfterIt() throws Exception {
        assertThat(resolve(open(), image(List.of("/docker-entrypoint.sh"), List.of("nginx", "-g", "daemon off;"))).args())
                .containsExactly("/docker-entrypoint.sh", "nginx", "-g", "daemon off;");
        assertThat(resolve(open(), image(List.of(), List.of("python3"))).args()).containsExactly("python3");
        assertThat(resolve(open(), image(List.of("/bin/app"), List.of())).args()).containsExactly("/bin/app");
    }

    @Test
    void manifestArgsReplaceBothEntrypointAndCmdLikeKubernetesCommand() throws Exception {
        ProcessSpec manifest = new ProcessSpec(List.of("/bin/sh", "-c", "echo hi"), null, Map.of(), null);

        assertThat(resolve(manifest, image(List.of("/entry"), List.of("cmd"))).args())
                .containsExactly("/bin/sh", "-c", "echo hi");
    }

    @Test
    void anImageWithNothingToRunNeedsArgs() {
        assertThatThrownBy(() -> resolve(open(), image(List.of(), List.of())))
                .isInstanceOf(RootfsException.class)
                .hasMessageContaining("no Entrypoint or Cmd")
                .hasMessageContaining("give process.args");
    }

    @Test
    void imageEnvComesFirstAndTheManifestWinsByName() throws Exception {
        ImageConfig img = new ImageConfig(List.of("/x"), List.of(), List.of("PATH=/usr/local/bin:/usr/bin",
                "LANG=C.UTF-8", "EMPTY=", "NOEQUALS", "A=b=c"), "", "");
        ProcessSpec manifest = new ProcessSpec(List.of(), null, Map.of("LANG", "de_DE.UTF-8", "MINE", "1"), null);

        assertThat(resolve(manifest, img).env()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "PATH", "/usr/local/bin:/usr/bin", "LANG", "de_DE.UTF-8", "EMPTY", "", "A", "b=c", "MINE", "1"));
    }

    @Test
    void theManifestCwdWinsThenTheWorkingDirThenSlash() throws Exception {
        ImageConfig img = new ImageConfig(List.of("/x"), List.of(), List.of(), "/usr/src/app/", "");

        assertThat(resolve(new ProcessSpec(List.of(), "/srv", Map.of(), null), img).cwd()).isEqualTo("/srv");
        assertThat(resolve(open(), img).cwd()).isEqualTo("/usr/src/app");
        assertThat(resolve(open(), image(List.of("/x"), List.of())).cwd()).isEqualTo("/");
        assertThat(resolve(open(), new ImageConfig(List.of("/x"), List.of(), List.of(), "app//./src", "")).cwd())
                .isEqualTo("/app/src");
        assertThatThrownBy(() -> resolve(open(), new ImageConfig(List.of("/x"), List.of(), List.of(), "/a/../b", "")))
                .isInstanceOf(RootfsException.class).hasMessageContaining("WorkingDir");
    }

    @Test
    void theManifestUserWinsOverTheImageUser() throws Exception {
        ProcessSpec manifest = new ProcessSpec(List.of(), null, Map.of(), new User(5, 6));

        assertThat(resolve(manifest, new ImageConfig(List.of("/x"), List.of(), List.of(), "", "app")).user())
                .isEqualTo(new User(5, 6));
    }

    @Test
    void imageUsersAreReadAsRuncReadsThem() throws Exception {
        assertThat(user("")).isEqualTo(User.ROOT);
        assertThat(user("1000")).as("a uid takes its passwd entry's group").isEqualTo(new User(1000, 1001));
        assertThat(user("4242")).as("a uid without an entry gets group 0").isEqualTo(new User(4242, 0));
        assertThat(user("1000:2000")).isEqualTo(new User(1000, 2000));
        assertThat(user("www-data")).isEqualTo(new User(33, 33));
        assertThat(user("app:staff")).isEqualTo(new User(1000, 50));
        assertThat(user("4242:staff")).isEqualTo(new User(4242, 50));
        assertThat(user("app:7")).isEqualTo(new User(1000, 7));
    }

    @Test
    void anUnknownUserOrGroupNameIsAnErrorWithTheFix() {
        assertThatThrownBy(() -> user("nobody")).isInstanceOf(RootfsException.class)
                .hasMessageContaining("'nobody', which is not in the image's /etc/passwd")
                .hasMessageContaining("set process.user");
        assertThatThrownBy(() -> user("app:wheel")).isInstanceOf(RootfsException.class)
                .hasMessageContaining("/etc/group");
        assertThatThrownBy(() -> user("99999999999")).isInstanceOf(RootfsException.class)
                .hasMessageContaining("out of range");
    }

    @Test
    void aSymlinkedPasswdIsNeverFollowedItCouldNameTheHostsOwn() throws Exception {
        Files.delete(tree.resolve("etc/passwd"));
        Files.createSymbolicLink(tree.resolve("etc/passwd"), Path.of("/etc/passwd"));

        assertThatThrownBy(() -> user("root")).isInstanceOf(RootfsException.class)
                .hasMessageContaining("has no /etc/passwd (a regular file)");
        assertThat(user("0")).isEqualTo(User.ROOT);
    }

    @Test
    void withoutAnImageOnlyThePlainDefaultsApply() throws Exception {
        ProcessSpec p = resolve(new ProcessSpec(List.of("/bin/sh"), null, Map.of("A", "1"), null), null);

        assertThat(p.cwd()).isEqualTo("/");
        assertThat(p.user()).isEqualTo(User.ROOT);
        assertThat(p.env()).containsExactlyEntriesOf(Map.of("A", "1"));
        assertThatThrownBy(() -> resolve(open(), null)).isInstanceOf(RootfsException.class)
                .hasMessageContaining("process.args is empty");
    }
}
