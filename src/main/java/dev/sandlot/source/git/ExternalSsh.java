package dev.sandlot.source.git;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.util.FS;

/**
 * ssh transport through the host's OpenSSH client ({@code ssh}), in batch mode with strict host
 * key checking: the key comes only from {@code git.credentialsFile}, known hosts from
 * {@code git.knownHostsFile} (or ssh's default). The environment is cleared, and the destination
 * is never taken for an option (CVE-2017-1000117).
 */
final class ExternalSsh extends SshSessionFactory {
    private final String ssh;
    private final Path identity;
    private final Path knownHosts;

    ExternalSsh(String ssh, Path identity, Path knownHosts) {
        this.ssh = ssh;
        this.identity = identity;
        this.knownHosts = knownHosts;
    }

    @Override
    public RemoteSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int timeoutSeconds)
            throws TransportException {
        String host = uri.getHost();
        if (host == null || host.isEmpty() || host.startsWith("-") || !host.matches("[A-Za-z0-9.:_\\[\\]-]+")) {
            throw new TransportException(uri, "not a host name");
        }
        String user = uri.getUser();
        if (user != null && (user.startsWith("-") || !user.matches("[A-Za-z0-9._-]+"))) {
            throw new TransportException(uri, "not a user name");
        }
        List<String> argv = new ArrayList<>(List.of(ssh, "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", "ConnectTimeout=" + Math.max(5, timeoutSeconds), "-F", "/dev/null"));
        if (identity != null) {
            argv.addAll(List.of("-o", "IdentitiesOnly=yes", "-i", identity.toString()));
        }
        if (knownHosts != null) {
            argv.addAll(List.of("-o", "UserKnownHostsFile=" + knownHosts));
        }
        if (uri.getPort() > 0) {
            argv.addAll(List.of("-p", Integer.toString(uri.getPort())));
        }
        if (user != null) {
            argv.addAll(List.of("-l", user));
        }
        argv.add("--");
        argv.add(host);
        return new Session(argv);
    }

    @Override
    public String getType() {
        return "sandlot-openssh";
    }

    private record Session(List<String> argv) implements RemoteSession {
        @Override
        public Process exec(String command, int timeout) throws IOException {
            List<String> full = new ArrayList<>(argv);
            full.add(command);
            ProcessBuilder pb = new ProcessBuilder(full);
            Map<String, String> env = pb.environment();
            env.clear();
            env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
            return pb.start();
        }

        @Override
        public void disconnect() {
        }
    }
}
