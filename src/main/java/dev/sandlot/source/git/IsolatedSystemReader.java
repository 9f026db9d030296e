package dev.sandlot.source.git;

import org.eclipse.jgit.lib.Config;
import org.eclipse.jgit.storage.file.FileBasedConfig;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.SystemReader;

/**
 * JGit without the host's git configuration: no {@code /etc/gitconfig}, {@code ~/.gitconfig},
 * XDG config or {@code GIT_*} environment. Such settings (url.insteadOf redirects, http.sslVerify,
 * filter drivers, GIT_SSH) belong to people using git on the host, not to a root daemon; sandlot
 * states everything it needs in its own config.
 */
final class IsolatedSystemReader extends SystemReader.Delegate {
    private static boolean installed;

    private IsolatedSystemReader(SystemReader delegate) {
        super(delegate);
    }

    /** Installs the isolation for this JVM (JGit keeps one reader per process); idempotent. */
    static synchronized void install() {
        if (!installed) {
            SystemReader.setInstance(new IsolatedSystemReader(SystemReader.getInstance()));
            installed = true;
        }
    }

    @Override
    public String getenv(String variable) {
        return variable.startsWith("GIT_") ? null : super.getenv(variable);
    }

    @Override
    public FileBasedConfig openUserConfig(Config parent, FS fs) {
        return new EmptyConfig(parent, fs);
    }

    @Override
    public FileBasedConfig openSystemConfig(Config parent, FS fs) {
        return new EmptyConfig(parent, fs);
    }

    @Override
    public FileBasedConfig openJGitConfig(Config parent, FS fs) {
        return new EmptyConfig(parent, fs);
    }

    /** A config that reads and writes nothing. */
    private static final class EmptyConfig extends FileBasedConfig {
        EmptyConfig(Config parent, FS fs) {
            super(parent, null, fs);
        }

        @Override
        public void load() {
        }

        @Override
        public void save() {
        }

        @Override
        public boolean isOutdated() {
            return false;
        }
    }
}
