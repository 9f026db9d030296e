package dev.sandlot.source.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sandlot.config.GitSettings;
import dev.sandlot.source.DesiredState;
import dev.sandlot.source.DesiredStore;
import dev.sandlot.source.FileResult;
import dev.sandlot.source.LastKnownGood;
import dev.sandlot.source.SourceStatus;
import dev.sandlot.source.SourceUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitManifestSourceTest {
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;
    private GitFixture repo;
    private Path gitDir;

    @BeforeEach
    void setUp() throws Exception {
        repo = new GitFixture(dir.resolve("remote"));
        gitDir = dir.resolve("state/git");
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    private GitManifestSource source(String ref, String path, boolean allowEmpty) {
        return source(repo.url(), ref, path, allowEmpty, false);
    }

    private GitManifestSource source(String url, String ref, String path, boolean allowEmpty, boolean readOnly) {
        GitSettings git = new GitSettings(url, ref, path, Duration.ofSeconds(60), null, null, allowEmpty);
        return new GitManifestSource(git, gitDir, List.of(Path.of("/srv")), readOnly,
                new Fetcher(git, gitDir.resolve("repo.git")), Clock.fixed(T0, ZoneOffset.UTC));
    }

    private static List<String> names(List<FileResult> files) {
        return files.stream().flatMap(f -> f.manifests().stream()).map(m -> m.name()).sorted().toList();
    }

    private static Map<String, String> files(String... pairs) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @Test
    void aCommitIsCheckedOutWholeAndReadLikeTheFolder() throws Exception {
        String c1 = repo.commit("one", files("hosts/web.yaml", GitFixture.manifest("web", "v1", null),
                "hosts/db.yml", GitFixture.manifest("db", "v1", null), "README.md", "docs\n"));
        GitManifestSource source = source(null, "hosts", false);

        List<FileResult> read = source.read();

        assertThat(names(read)).containsExactly("db", "web");
        Path current = gitDir.resolve("current").toAbsolutePath().normalize();
        assertThat(read).extracting(FileResult::file).containsExactly(current.resolve("hosts/db.yml").toString(),
                current.resolve("hosts/web.yaml").toString());
        assertThat(gitDir.resolve("checkouts").resolve(c1).resolve("README.md")).hasContent("docs\n");
        assertThat(Files.readSymbolicLink(gitDir.resolve("current"))).isEqualTo(Path.of("checkouts", c1));
        SourceStatus status = source.status();
        assertThat(status.kind()).isEqualTo("git");
        assertThat(status.revision()).isEqualTo(c1);
        assertThat(status.appliedAt()).isEqualTo(T0);
        assertThat(status.problem()).isNull();
        assertThat(source.describe()).contains(c1.substring(0, 12));
    }

    @Test
    void fetchesOnlyWhenAskedAndSwitchesToTheNewCommitKeepingOnlyTheCurrentAndThePrevious() throws Exception {
        String c1 = repo.commit("one", files("web.yaml", GitFixture.manifest("web", "v1", null)));
        GitManifestSource source = source(null, "", false);
        source.read();
        String c2 = repo.commit("two", files("api.yaml", GitFixture.manifest("api", "v1", null)));

        assertThat(names(source.read())).as("no fetch until one is due").containsExactly("web");
        source.refreshNow();
        assertThat(names(source.read())).containsExactly("api", "web");
        assertThat(source.status().revision()).isEqualTo(c2);

        String c3 = repo.commit("three", files("web.yaml", null));
        source.refreshNow();
        assertThat(names(source.read())).containsExactly("api");
        try (Stream<Path> s = Files.list(gitDir.resolve("checkouts"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(c2, c3);
        }
        assertThat(c1).isNotIn(c2, c3);
    }

    @Test
    void aFileKeepsItsNameAcrossCommitsSoAForcePushedInvalidCommitKeepsTheLastKnownGood() throws Exception {
        String good = repo.commit("good", files("web.yaml", GitFixture.manifest("web", "v1", null)));
        GitManifestSource source = source(null, "", false);
        DesiredStore store = new DesiredStore(new LastKnownGood(Map.of(), Map.of()));
        store.update(source.read());
        String specBefore = store.current().get("web").specHash();

        repo.commit("later", files("notes.txt", "x\n"));
        source.refreshNow();
        store.update(source.read());

        // History rewritten: main now points at a broken commit that is not a descendant.
        repo.resetHard(good);
        String broken = repo.commitTo("main", "broken",
                files("web.yaml", "apiVersion: sandlot.dev/v1\nkind: Sandbox\nmetadata: {name: web\n"), true);
        source.refreshNow();
        store.update(source.read());

        DesiredState now = store.current();
        assertThat(source.status().revision()).isEqualTo(broken);
        assertThat(now.get("web")).as("kept on its last good spec").isNotNull();
        assertThat(now.get("web").specHash()).isEqualTo(specBefore);
        assertThat(now.get("web").heldError()).contains("web.yaml has errors");
        assertThat(now.fileErrors()).hasSize(1);
    }

    @Test
    void aRepositoryMovedAwayKeepsTheLastAppliedCommitAndSaysWhy() throws Exception {
        String c1 = repo.commit("one", files("web.yaml", GitFixture.manifest("web", "v1", null)));
        GitManifestSource source = source(null, "", false);
        source.read();
        Files.move(repo.bare, dir.resolve("elsewhere.git"));

        source.refreshNow();
        List<FileResult> read = source.read();

        assertThat(names(read)).containsExactly("web");
        SourceStatus status = source.status();
        assertThat(status.revision()).isEqualTo(c1);
        assertThat(status.problem()).contains("cannot fetch").contains("keeping commit " + c1.substring(0, 12));

        // A restarted daemon (a new source over the same state dir) keeps it too.
        GitManifestSource restarted = source(null, "", false);
        assertThat(names(restarted.read())).containsExactly("web");
        assertThat(restarted.status().problem()).contains("cannot fetch");
    }

    @Test
    void withNothingEverFetchedTheSourceIsUnavailableNeverEmpty() {
        GitManifestSource source = source("file://" + dir.resolve("nothing-here.git"), null, "", true, false);
        assertThatThrownBy(source::read).isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("no commit applied yet").hasMessageContaining("nothing was changed");
    }

    @Test
    void aCommitWithoutManifestsIsRefusedUnlessEmptyIsAllowed() throws Exception {
        repo.commit("one", files("hosts/web.yaml", GitFixture.manifest("web", "v1", null)));
        GitManifestSource source = source(null, "hosts", false);
        String c1 = source.read().isEmpty() ? null : source.status().revision();
        repo.commit("all gone", files("hosts/web.yaml", null, "other.txt", "x"));

        source.refreshNow();
        assertThat(names(source.read())).as("the last good commit stays applied").containsExactly("web");
        assertThat(source.status().revision()).isEqualTo(c1);
        assertThat(source.status().problem()).contains("has no manifests in hosts").contains("git.allowEmpty");

        GitManifestSource allowing = source(null, "hosts", true);
        assertThat(allowing.read()).isEmpty();
        assertThat(allowing.status().revision()).isNotEqualTo(c1);
    }

    @Test
    void aSymlinkInTheManifestsFolderRefusesTheCommit() throws Exception {
        String c1 = repo.commit("one", files("web.yaml", GitFixture.manifest("web", "v1", null)));
        GitManifestSource source = source(null, "", false);
        source.read();
        repo.commitSymlink("shadow.yaml", "/etc/shadow");

        source.refreshNow();
        assertThat(names(source.read())).containsExactly("web");
        assertThat(source.status().revision()).isEqualTo(c1);
        assertThat(source.status().problem()).contains("symlink").contains("shadow.yaml");
        try (Stream<Path> s = Files.list(gitDir.resolve("checkouts"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly(c1);
        }
    }

    @Test
    void aSymlinkOutsideTheManifestsFolderIsNotWrittenAndDoesNotMatter() throws Exception {
        repo.commit("one", files("hosts/web.yaml", GitFixture.manifest("web", "v1", null)));
        String c2 = repo.commitSymlink("docs/link", "/etc/passwd");
        GitManifestSource source = source(null, "hosts", false);

        assertThat(names(source.read())).containsExactly("web");
        assertThat(source.status().revision()).isEqualTo(c2);
        assertThat(gitDir.resolve("checkouts").resolve(c2).resolve("docs/link")).doesNotExist();
    }

    @Test
    void filesAreWrittenByteForByteWithoutAttributesFiltersOrLineEndingConversion() throws Exception {
        String yaml = GitFixture.manifest("web", "v1", null);
        String c1 = repo.commit("one", files(".gitattributes", "* text eol=crlf filter=lfs\n", "web.yaml", yaml));
        GitManifestSource source = source(null, "", false);

        assertThat(names(source.read())).containsExactly("web");
        assertThat(gitDir.resolve("checkouts").resolve(c1).resolve("web.yaml")).hasContent(yaml);
        assertThat(Files.readString(gitDir.resolve("checkouts").resolve(c1).resolve("web.yaml"))).doesNotContain("\r");
    }

    @Test
    void aRefIsABranchATagOrACommitAndAMissingOneChangesNothing() throws Exception {
        String c1 = repo.commit("one", files("web.yaml", GitFixture.manifest("web", "v1", null)));
        String c2 = repo.commit("two", files("web.yaml", GitFixture.manifest("web", "v2", null)));
        repo.tag("v1.0", c1);
        repo.commitTo("staging", "three", files("api.yaml", GitFixture.manifest("api", "v1", null)), false);

        GitManifestSource byTag = source(repo.url(), "v1.0", "", false, false);
        byTag.read();
        assertThat(byTag.status().revision()).isEqualTo(c1);
        GitFixture.deleteTree(gitDir);

        GitManifestSource byCommit = source(repo.url(), c2, "", false, false);
        byCommit.read();
        assertThat(byCommit.status().revision()).isEqualTo(c2);
        GitFixture.deleteTree(gitDir);

        GitManifestSource byBranch = source(repo.url(), "staging", "", false, false);
        assertThat(names(byBranch.read())).containsExactly("api", "web");
        GitFixture.deleteTree(gitDir);

        GitManifestSource missing = source(repo.url(), "nope", "", false, false);
        assertThatThrownBy(missing::read).isInstanceOf(SourceUnavailableException.class)
                .hasMessageContaining("has no branch, tag or commit 'nope'");
    }

    @Test
    void aReadOnlySourceNeverFetchesAndReadsTheAppliedCommit() throws Exception {
        GitManifestSource readOnly = source(repo.url(), null, "", false, true);
        repo.commit("one", files("web.yaml", GitFixture.manifest("web", "v1", null)));
        assertThatThrownBy(readOnly::read).isInstanceOf(SourceUnavailableException.class);
        assertThat(gitDir.resolve("repo.git")).doesNotExist();
        assertThat(readOnly.pollInterval()).isNull();

        source(null, "", false).read();
        assertThat(names(readOnly.read())).containsExactly("web");
        assertThat(source(null, "", false).pollInterval()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void credentialsNeverShowInMessagesOrStatus() throws Exception {
        GitManifestSource source = source("https://alice:s3cret-token@127.0.0.1:1/repo.git", null, "", false, false);
        assertThatThrownBy(source::read).isInstanceOf(SourceUnavailableException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret").contains("https://127.0.0.1:1/repo.git"));
        assertThat(source.status().location()).doesNotContain("s3cret");
        assertThat(source.status().problem()).doesNotContain("s3cret");
    }

    @Test
    void anEntryThatCouldEscapeTheCheckoutIsRefused() {
        for (String bad : List.of("..", ".", "", ".git", ".GIT", "a/b", "a\\b")) {
            assertThatThrownBy(() -> Checkouts.checkName(bad, bad, "c0ffee")).as(bad).isInstanceOf(GitException.class)
                    .hasMessageContaining("could escape the checkout");
        }
    }

    @Test
    void sshUrlsAreRecognisedAndCredentialsRedacted() {
        assertThat(Fetcher.isSsh("git@example.com:ops/sandboxes.git")).isTrue();
        assertThat(Fetcher.isSsh("ssh://git@example.com/ops/sandboxes.git")).isTrue();
        assertThat(Fetcher.isSsh("https://example.com/ops/sandboxes.git")).isFalse();
        assertThat(Fetcher.isSsh("file:///srv/git/sandboxes.git")).isFalse();
        assertThat(Fetcher.redacted("https://u:p@example.com/x.git")).isEqualTo("https://example.com/x.git");
    }
}
