// Unpacks one archive the way sandlot does (RootfsStore: hash once, then unpack, syncfs, rename)
// and prints "HASH_MS UNPACK_MS TREE".
// Run by bench/rootfs-unpack.sh: java -cp target/sandlot.jar bench/RootfsBench.java ARCHIVE STATE_DIR
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.rootfs.ResolvedRootfs;
import dev.sandlot.rootfs.RootfsStore;
import java.nio.file.Path;

public class RootfsBench {
    public static void main(String[] args) throws Exception {
        Rootfs archive = Rootfs.archive(Path.of(args[0]).toAbsolutePath().toString());
        RootfsStore store = RootfsStore.at(Path.of(args[1]));
        long t0 = System.nanoTime();
        store.currentDigest(archive);
        long t1 = System.nanoTime();
        ResolvedRootfs tree = store.resolve(archive);
        long t2 = System.nanoTime();
        tree.release();
        System.out.println((t1 - t0) / 1_000_000 + " " + (t2 - t1) / 1_000_000 + " " + tree.dir());
    }
}
