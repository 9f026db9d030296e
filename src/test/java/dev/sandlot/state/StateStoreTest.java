package dev.sandlot.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.plan.Fixtures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SandboxId WEB = new SandboxId("sandlot-web.0123abcd");
    private static final SandboxId DB = new SandboxId("sandlot-db.89abcdef");

    @TempDir
    Path dir;

    StateStore store;

    @BeforeEach
    void init() throws IOException {
        store = new StateStore(dir);
        store.init();
    }

    static SandboxRecord record(SandboxId id) {
        return new SandboxRecord(StateStore.FORMAT, id.value(), id.name(), "hash-" + id.name(),
                Fixtures.spec(id.name(), "v1", "mynet"), "/etc/sandlot/manifests/" + id.name() + ".yaml",
                Instant.parse("2026-11-27T10:15:30Z"), "boot-1");
    }

    static JsonNode result(String address) throws IOException {
        return JSON.readTree("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"address\":\"" + address + "\"}]}");
    }

    private List<String> filesIn(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---- format version -----------------------------------------------------------------------

    @Test
    void initStampsTheFormatVersionAndMakesTheLayout() throws IOException {
        assertThat(Files.readString(dir.resolve("format-version"))).isEqualTo(StateStore.FORMAT + "\n");
        assertThat(dir.resolve("sandboxes")).isDirectory();
        assertThat(dir.resolve("logs")).isDirectory();
        assertThat(store.logFile("web")).isEqualTo(dir.resolve("logs/web.log"));
    }

    @Test
    void initAgainAcceptsItsOwnAndOlderFormats() throws IOException {
        store.init();
        Files.writeString(dir.resolve("format-version"), "0\n");

        new StateStore(dir).init();

        assertThat(Files.readString(dir.resolve("format-version"))).isEqualTo("0\n");
    }

    @Test
    void aNewerFormatIsRefusedWithAMessageThatSaysToUpgrade() throws IOException {
        Files.writeString(dir.resolve("format-version"), (StateStore.FORMAT + 1) + "\n");

        assertThatThrownBy(() -> new StateStore(dir).init())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("newer sandlot")
                .hasMessageContaining("format " + (StateStore.FORMAT + 1))
                .hasMessageContaining("upgrade sandlot");
    }

    @Test
    void aGarbledFormatVersionIsRefusedNamingTheFile() throws IOException {
        Files.writeString(dir.resolve("format-version"), "one\n");

        assertThatThrownBy(() -> new StateStore(dir).init())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve("format-version").toString())
                .hasMessageContaining("not a format version");
    }

    @Test
    void recordsAreStampedWithTheFormatTheyWereWrittenWith() throws IOException {
        store.writeSandbox(record(WEB));
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(1, "mynet", "eth0", "{}".getBytes(StandardCharsets.UTF_8)));

        JsonNode sandbox = JSON.readTree(store.sandboxDir(WEB).resolve("sandbox.json").toFile());
        JsonNode attachment = JSON.readTree(store.sandboxDir(WEB).resolve("attachment-01-eth0-mynet.json").toFile());
        assertThat(sandbox.get("format").asInt()).isEqualTo(StateStore.FORMAT);
        assertThat(attachment.get("format").asInt()).isEqualTo(StateStore.FORMAT);
    }

    // ---- round trips --------------------------------------------------------------------------

    @Test
    void aSandboxRecordReadsBackAsWritten() throws IOException {
        store.writeSandbox(record(WEB));

        StoredSandbox s = store.load(WEB);

        assertThat(s.id()).isEqualTo(WEB);
        assertThat(s.record()).isEqualTo(record(WEB));
        assertThat(s.attachments()).isEmpty();
        assertThat(s.problems()).isEmpty();
    }

    @Test
    void attachmentsReadBackInChainOrderWithTheExactConfigBytesAndResult() throws IOException {
        byte[] lo = "{\"name\":\"lo\"}".getBytes(StandardCharsets.UTF_8);
        byte[] net = "{\"name\":\"my-net.v2\", \"plugins\":[]}\n".getBytes(StandardCharsets.UTF_8);
        store.writeSandbox(record(WEB));
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(1, "my-net.v2", "eth0", net).withResult(result("10.1.0.5/24")));
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(0, "lo", "lo", lo).withResult(result("127.0.0.1/8")));

        StoredSandbox s = store.load(WEB);

        assertThat(s.attachments()).extracting(StoredAttachment::index, StoredAttachment::network,
                StoredAttachment::ifname, StoredAttachment::added)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "lo", "lo", true),
                        org.assertj.core.groups.Tuple.tuple(1, "my-net.v2", "eth0", true));
        assertThat(s.attachments().get(1).record().configBytes()).isEqualTo(net);
        assertThat(s.attachments().get(1).record().result().get("ips").get(0).get("address").asText())
                .isEqualTo("10.1.0.5/24");
        assertThat(s.attachments().get(1).fileName()).isEqualTo("attachment-01-eth0-my-net.v2.json");
    }

    @Test
    void anAttachmentWrittenBeforeAddIsNotAddedUntilItsResultIsWritten() throws IOException {
        AttachmentRecord before = AttachmentRecord.beforeAdd(1, "mynet", "eth0", "{}".getBytes(StandardCharsets.UTF_8));
        store.writeSandbox(record(WEB));
        store.writeAttachment(WEB, before);

        assertThat(store.load(WEB).attachments()).singleElement().satisfies(a -> {
            assertThat(a.added()).isFalse();
            assertThat(a.record()).isNotNull();
        });

        store.writeAttachment(WEB, before.withResult(result("10.1.0.5/24")));

        assertThat(store.load(WEB).attachments()).singleElement().satisfies(a -> assertThat(a.added()).isTrue());
        assertThat(filesIn(store.sandboxDir(WEB))).containsExactly("attachment-01-eth0-mynet.json", "sandbox.json");
    }

    /** One folder for every try: the property is about names, and fsync per try would cost seconds. */
    private static Path propertyDir;

    @AfterContainer
    static void removePropertyDir() throws IOException {
        if (propertyDir != null) {
            try (Stream<Path> walk = Files.walk(propertyDir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    @Property(tries = 300)
    void attachmentFileNamesRoundTripIndexNetworkAndIfname(@ForAll("indexes") int index,
            @ForAll("networks") String network, @ForAll("ifnames") String ifname) throws IOException {
        if (propertyDir == null) {
            propertyDir = Files.createTempDirectory("statestore");
        }
        StateStore s = new StateStore(propertyDir);
        Path sandboxDir = Files.createDirectories(s.sandboxDir(WEB));
        // An empty (corrupt) record: what comes back is read from the file name alone.
        Path file = sandboxDir.resolve(StateStore.fileName(AttachmentRecord.beforeAdd(index, network, ifname, new byte[0])));
        Files.write(file, new byte[0]);
        try {
            StoredAttachment a = s.load(WEB).attachments().get(0);

            assertThat(a.index()).isEqualTo(index);
            assertThat(a.network()).isEqualTo(network);
            assertThat(a.ifname()).isEqualTo(ifname);
            assertThat(a.fileName()).isEqualTo(file.getFileName().toString());
        } finally {
            Files.delete(file);
        }
    }

    @Provide
    Arbitrary<Integer> indexes() {
        return Arbitraries.integers().between(0, 99);
    }

    /** Any CNI network name: ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$, including ones with dashes like "eth0-x". */
    @Provide
    Arbitrary<String> networks() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withChars("abcXYZ019_.-").ofMinLength(0).ofMaxLength(20)
                        .map(s -> "n" + s),
                Arbitraries.of("lo", "mynet", "eth0-net", "a-b-c", "x.conflist", "9"));
    }

    /** The interface names sandlot uses: lo, eth0, eth1, ... */
    @Provide
    Arbitrary<String> ifnames() {
        return Arbitraries.oneOf(Arbitraries.just("lo"), Arbitraries.integers().between(0, 98).map(i -> "eth" + i));
    }

    @Test
    void anAttachmentWithAThreeDigitIndexIsReadBack() throws IOException {
        store.writeSandbox(record(WEB));
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(100, "net100", "eth99", "{}".getBytes(StandardCharsets.UTF_8))
                .withResult(result("10.1.0.5/24")));

        assertThat(store.load(WEB).attachments()).extracting(StoredAttachment::index).containsExactly(100);
    }

    // ---- each record on its own ---------------------------------------------------------------

    @Test
    void loadAllReadsEachIdOnItsOwnSoACorruptSandboxRecordHidesNoOther() throws IOException {
        store.writeSandbox(record(WEB));
        store.writeSandbox(record(DB));
        store.writeAttachment(DB, AttachmentRecord.beforeAdd(1, "mynet", "eth0", "{}".getBytes(StandardCharsets.UTF_8)));
        Files.writeString(store.sandboxDir(DB).resolve("sandbox.json"), "{\"format\": 1, \"id\": ");

        List<StoredSandbox> all = store.loadAll();

        assertThat(all).extracting(StoredSandbox::id).containsExactly(DB, WEB);
        StoredSandbox db = all.get(0);
        assertThat(db.record()).isNull();
        assertThat(db.problems()).singleElement().asString().contains("sandbox record unreadable");
        assertThat(db.attachments()).as("its attachments still get their DEL").hasSize(1);
        assertThat(all.get(1).record()).isEqualTo(record(WEB));
        assertThat(all.get(1).problems()).isEmpty();
    }

    @Test
    void aRecordThatWasLoadedBeforeAndThenDamagedIsReadAsDamaged() throws IOException {
        store.writeSandbox(record(WEB));
        assertThat(store.loadAll().get(0).record()).isEqualTo(record(WEB));
        Path file = store.sandboxDir(WEB).resolve("sandbox.json");
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] = '#'; // the same size, other bytes: only the content tells
        Files.write(file, bytes);

        StoredSandbox web = store.loadAll().get(0);

        assertThat(web.record()).isNull();
        assertThat(web.problems()).singleElement().asString().contains("sandbox record unreadable");
    }

    @Test
    void aRewrittenRecordIsReadAnewAndAnUnchangedOneIsTheSameValue() throws IOException {
        store.writeSandbox(record(WEB));
        SandboxRecord first = store.load(WEB).record();
        assertThat(store.load(WEB).record()).isSameAs(first);

        SandboxRecord changed = new SandboxRecord(StateStore.FORMAT, WEB.value(), WEB.name(), "hash-2",
                first.spec(), first.sourceFile(), first.createdAt(), "boot-2");
        store.writeSandbox(changed);

        assertThat(store.load(WEB).record()).isEqualTo(changed);
    }

    @Test
    void anAttachmentCompletedAfterItWasReadIsReadAnewAndAnUnchangedOneIsTheSameValue() throws IOException {
        AttachmentRecord before = AttachmentRecord.beforeAdd(1, "mynet", "eth0", "{}".getBytes(StandardCharsets.UTF_8));
        store.writeAttachment(WEB, before);
        AttachmentRecord first = store.loadAll().get(0).attachments().get(0).record();
        assertThat(first.added()).isFalse();
        assertThat(store.loadAll().get(0).attachments().get(0).record()).isSameAs(first);

        store.writeAttachment(WEB, before.withResult(result("10.1.0.5/24")));

        AttachmentRecord completed = store.loadAll().get(0).attachments().get(0).record();
        assertThat(completed.added()).isTrue();
        assertThat(completed.result()).isEqualTo(result("10.1.0.5/24"));
    }

    @Test
    void aCorruptOrEmptyAttachmentStillSaysWhichNetworkToDelete() throws IOException {
        store.writeSandbox(record(WEB));
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(0, "lo", "lo", "{}".getBytes(StandardCharsets.UTF_8))
                .withResult(result("127.0.0.1/8")));
        Path sandboxDir = store.sandboxDir(WEB);
        Files.writeString(sandboxDir.resolve("attachment-01-eth0-mynet.json"), "{\"format\":1,\"index\":1,\"config");
        Files.write(sandboxDir.resolve("attachment-02-eth1-other-net.json"), new byte[0]);

        StoredSandbox s = store.load(WEB);

        assertThat(s.record()).isEqualTo(record(WEB));
        assertThat(s.attachments()).extracting(StoredAttachment::index, StoredAttachment::network,
                StoredAttachment::ifname)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(0, "lo", "lo"),
                        org.assertj.core.groups.Tuple.tuple(1, "mynet", "eth0"),
                        org.assertj.core.groups.Tuple.tuple(2, "other-net", "eth1"));
        assertThat(s.attachments().get(0).record()).isNotNull();
        assertThat(s.attachments().get(1).record()).isNull();
        assertThat(s.attachments().get(2).record()).isNull();
        assertThat(s.attachments().get(1).added()).isFalse();
        assertThat(s.problems()).anySatisfy(p -> assertThat(p).contains("attachment-01-eth0-mynet.json"));
    }

    @Test
    void anAttachmentRecordWithoutConfigCountsAsCorrupt() throws IOException {
        store.writeSandbox(record(WEB));
        Files.writeString(store.sandboxDir(WEB).resolve("attachment-01-eth0-mynet.json"), "{\"format\":1,\"index\":1}");

        assertThat(store.load(WEB).attachments()).singleElement()
                .satisfies(a -> assertThat(a.record()).isNull());
    }

    @Test
    void anIdWithoutItsSandboxRecordIsStillOurs() throws IOException {
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(1, "mynet", "eth0", "{}".getBytes(StandardCharsets.UTF_8)));

        StoredSandbox s = store.loadAll().get(0);

        assertThat(s.id()).isEqualTo(WEB);
        assertThat(s.record()).isNull();
        assertThat(s.problems()).containsExactly("sandbox record missing");
        assertThat(s.attachments()).hasSize(1);
    }

    @Test
    void loadAllIgnoresWhatIsNotShapedLikeAnIdAndStrayFiles() throws IOException {
        store.writeSandbox(record(WEB));
        Files.createDirectories(dir.resolve("sandboxes/sandlot-web"));
        Files.createDirectories(dir.resolve("sandboxes/other-runtime.0123abcd"));
        Files.writeString(dir.resolve("sandboxes/sandlot-db.89abcdef"), "a file, not a directory");
        Files.writeString(store.sandboxDir(WEB).resolve("attachment-xx-eth0-mynet.json"), "{}");
        Files.writeString(store.sandboxDir(WEB).resolve("notes.txt"), "ignored");

        List<StoredSandbox> all = store.loadAll();

        assertThat(all).extracting(StoredSandbox::id).containsExactly(WEB);
        assertThat(all.get(0).attachments()).isEmpty();
    }

    @Test
    void loadAllOfAnEmptyOrMissingStateDirIsEmpty() throws IOException {
        assertThat(store.loadAll()).isEmpty();
        assertThat(new StateStore(dir.resolve("never-made")).loadAll()).isEmpty();
    }

    // ---- exits --------------------------------------------------------------------------------

    @Test
    void theFirstExitRecordWinsAndIsReadBack() throws IOException {
        store.writeSandbox(record(WEB));
        Instant exact = Instant.parse("2026-11-27T10:20:00Z");

        store.writeExit(WEB, new ExitRecord(137, exact));
        store.writeExit(WEB, new ExitRecord(null, exact.plusSeconds(30)));

        assertThat(store.load(WEB).exit()).isEqualTo(new ExitRecord(137, exact));
        assertThat(store.load(DB).exit()).isNull();
    }

    @Test
    void aKnownExitCodeCompletesARecordThatHadNoneAndKeepsItsTime() throws IOException {
        store.writeSandbox(record(WEB));
        Instant seen = Instant.parse("2026-11-27T10:20:00Z");

        store.writeExit(WEB, new ExitRecord(null, seen));
        store.writeExit(WEB, new ExitRecord(3, seen.plusMillis(5)));
        store.writeExit(WEB, new ExitRecord(9, seen.plusSeconds(1)));

        assertThat(store.load(WEB).exit()).isEqualTo(new ExitRecord(3, seen));
    }

    @Test
    void anExitReportedAfterTeardownDoesNotBringTheIdBack() throws IOException {
        store.writeSandbox(record(WEB));
        store.deleteSandbox(WEB);

        store.writeExit(WEB, new ExitRecord(0, Instant.EPOCH));

        assertThat(store.sandboxDir(WEB)).doesNotExist();
        assertThat(store.loadAll()).isEmpty();
    }

    @Test
    void aCorruptExitRecordIsAProblemNotAFailure() throws IOException {
        store.writeSandbox(record(WEB));
        Files.writeString(store.sandboxDir(WEB).resolve("exit.json"), "{\"exitCode\":");

        StoredSandbox s = store.load(WEB);

        assertThat(s.exit()).isNull();
        assertThat(s.record()).isEqualTo(record(WEB));
        assertThat(s.problems()).containsExactly("exit record unreadable");
    }

    // ---- deletes ------------------------------------------------------------------------------

    @Test
    void deleteAttachmentRemovesOnlyThatAttachment() throws IOException {
        store.writeSandbox(record(WEB));
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(0, "lo", "lo", "{}".getBytes(StandardCharsets.UTF_8)));
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(1, "mynet", "eth0", "{}".getBytes(StandardCharsets.UTF_8)));

        store.deleteAttachment(WEB, store.load(WEB).attachments().get(1));
        store.deleteAttachment(WEB, store.load(WEB).attachments().get(0));

        assertThat(filesIn(store.sandboxDir(WEB))).containsExactly("sandbox.json");
    }

    @Test
    void deleteSandboxDropsEveryRecordAndTheBundleAndCanBeRepeated() throws IOException {
        store.writeSandbox(record(WEB));
        store.writeSandbox(record(DB));
        store.writeAttachment(WEB, AttachmentRecord.beforeAdd(1, "mynet", "eth0", "{}".getBytes(StandardCharsets.UTF_8)));
        Files.createDirectories(store.bundleDir(WEB));
        Files.writeString(store.bundleDir(WEB).resolve("config.json"), "{}");
        Files.writeString(store.logFile("web"), "kept after teardown\n");

        store.deleteSandbox(WEB);
        store.deleteSandbox(WEB);

        assertThat(store.sandboxDir(WEB)).doesNotExist();
        assertThat(store.loadAll()).extracting(StoredSandbox::id).containsExactly(DB);
        assertThat(store.logFile("web")).hasContent("kept after teardown");
    }

    // ---- atomic writes ------------------------------------------------------------------------

    @Test
    void writesLeaveNoTemporaryFilesBehind() throws IOException {
        for (int i = 0; i < 5; i++) {
            store.writeSandbox(record(WEB));
            store.writeAttachment(WEB, AttachmentRecord.beforeAdd(1, "mynet", "eth0", "{}".getBytes(StandardCharsets.UTF_8)));
        }

        assertThat(filesIn(store.sandboxDir(WEB))).containsExactly("attachment-01-eth0-mynet.json", "sandbox.json");
        assertThat(filesIn(dir)).containsExactly("format-version", "logs", "sandboxes");
    }
}
