package dev.sandlot.rootfs;

import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.SandboxSpec;
import java.nio.file.Path;

/**
 * A root filesystem ready to run: its directory, the content digest it was unpacked from (null
 * for a {@code rootfs.path}), the image config (null unless an image). A tree from an archive or
 * image is pinned until {@link #release()}: no collection removes it before the sandbox record
 * naming its digest is written.
 */
public final class ResolvedRootfs {
    private final Path dir;
    private final String digest;
    private final ImageConfig imageConfig;
    private final Limits limits;
    private final Runnable release;
    private boolean released;

    ResolvedRootfs(Path dir, String digest, ImageConfig imageConfig, Limits limits, Runnable release) {
        this.dir = dir;
        this.digest = digest;
        this.imageConfig = imageConfig;
        this.limits = limits;
        this.release = release;
    }

    /** The directory runsc gets as {@code root.path}, read-only. */
    public Path dir() {
        return dir;
    }

    /** {@code sha256:<hex>} of the archive file or of the image manifest; null for a directory rootfs. */
    public String digest() {
        return digest;
    }

    /** The image config, or null when the rootfs is not an image. */
    public ImageConfig imageConfig() {
        return imageConfig;
    }

    /** {@code spec} with its process fully resolved against the image config ({@link ProcessDefaults}). */
    public SandboxSpec resolve(SandboxSpec spec) throws RootfsException {
        ProcessSpec process = ProcessDefaults.resolve(spec.process(), imageConfig, dir, limits);
        return new SandboxSpec(spec.rootfs(), process, spec.hostname(), spec.networks(), spec.mounts(),
                spec.resources(), spec.restartPolicy(), spec.healthCheck(), spec.dependsOn(), spec.suspend(),
                spec.stopSignal(), spec.terminationGracePeriodMillis(), spec.schedule(), spec.ports(), spec.dns(),
                spec.placement());
    }

    /** Unpins the tree; call once its digest is in a sandbox record (or the create failed). Idempotent. */
    public synchronized void release() {
        if (!released) {
            released = true;
            release.run();
        }
    }
}
