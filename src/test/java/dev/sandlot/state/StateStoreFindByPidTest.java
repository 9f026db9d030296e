package dev.sandlot.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StateStore#findByPid}: the daemon asks it for every orphan its subreaper collects. */
class StateStoreFindByPidTest {
    private static final SandboxId WEB = new SandboxId("sandlot-web.0123abcd");
    private static final SandboxId DB = new SandboxId("sandlot-db.89abcdef");

    @TempDir
    Path dir;

    StateStore store;

    @BeforeEach
    void init() throws IOException {
        store = new StateStore(dir);
        store.init();
        store.writeSandbox(StateStoreTest.record(WEB));
        store.writeSandbox(StateStoreTest.record(DB));
    }

    @Test
    void findsTheIdWhosePidFileNamesThePid() throws IOException {
        Files.writeString(store.pidFile(WEB), "4242\n");
        Files.writeString(store.pidFile(DB), "4343");

        assertThat(store.findByPid(4242)).contains(WEB);
        assertThat(store.findByPid(4343)).contains(DB);
        assertThat(store.findByPid(4444)).isEmpty();
    }

    @Test
    void aPidFileWrittenAfterAnEarlierLookupIsFound() throws IOException {
        assertThat(store.findByPid(4242)).isEmpty();
        Files.writeString(store.pidFile(WEB), "");          // runsc is still writing it
        assertThat(store.findByPid(4242)).isEmpty();
        Files.writeString(store.pidFile(WEB), "4242");
        assertThat(store.findByPid(4242)).contains(WEB);
    }

    @Test
    void anIdWhoseRecordsAreGoneIsNotFoundAgain() throws IOException {
        Files.writeString(store.pidFile(WEB), "4242");
        assertThat(store.findByPid(4242)).contains(WEB);

        store.deleteSandbox(WEB);

        assertThat(store.findByPid(4242)).isEmpty();
    }

    @Test
    void noRecordsFolderIsNoMatch() throws IOException {
        assertThat(new StateStore(dir.resolve("elsewhere")).findByPid(1)).isEmpty();
    }
}
