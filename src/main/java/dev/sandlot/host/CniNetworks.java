package dev.sandlot.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The CNI networks configured in a conf dir ({@code *.conf}, {@code *.conflist}, {@code *.json}),
 * read fresh on every call. Files are taken in lexical order of their names and the first one
 * declaring a name wins, as in containerd's go-cni (libcni proper looks at all {@code .conflist}
 * files before any {@code .conf}). Only regular files count (a FIFO never blocks a read); a file
 * that does not parse is skipped and reported, never fatal to the others.
 */
public final class CniNetworks {
    private static final List<String> EXTENSIONS = List.of(".conf", ".conflist", ".json");
    /** Larger than any sane network config; keeps a stray huge file from being read whole. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final Path confDir;

    public CniNetworks(Path confDir) {
        this.confDir = confDir;
    }

    /** What a scan of the conf dir found: usable networks in file order, and why other files are not. */
    public record Scan(List<NetworkConfig> networks, Map<Path, String> errors) {
        public Scan {
            networks = List.copyOf(networks);
            errors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(errors));
        }
    }

    /** The network named {@code name}, from the first file (in lexical order) that declares it. */
    public NetworkConfig find(String name) throws CniException {
        Scan scan = scan();
        for (NetworkConfig n : scan.networks()) {
            if (n.name().equals(name)) {
                return n;
            }
        }
        TreeSet<String> have = new TreeSet<>();
        scan.networks().forEach(n -> have.add(n.name()));
        StringBuilder msg = new StringBuilder("no CNI network named '").append(Text.clean(name, 80))
                .append("' in ").append(confDir).append("; have: ")
                .append(have.isEmpty() ? "none" : String.join(", ", have));
        if (!scan.errors().isEmpty()) {
            msg.append("; unreadable: ");
            List<String> bad = new ArrayList<>();
            scan.errors().forEach((file, error) -> bad.add(file.getFileName() + " (" + error + ")"));
            msg.append(String.join(", ", bad));
        }
        msg.append("; add a .conflist with that \"name\" or fix the manifest's networks");
        throw new CniException(msg.toString());
    }

    /** Every usable network, in file order (a name declared twice appears twice; the first wins). */
    public List<NetworkConfig> all() throws CniException {
        return scan().networks();
    }

    /** Every usable network plus, per file, why it could not be used (for {@code doctor}). */
    public Scan scan() throws CniException {
        List<NetworkConfig> networks = new ArrayList<>();
        Map<Path, String> errors = new LinkedHashMap<>();
        for (Path file : files()) {
            try {
                networks.add(NetworkConfig.parse(read(file), file.toString(), file));
            } catch (CniException e) {
                errors.put(file, e.getMessage());
            } catch (IOException e) {
                errors.put(file, "cannot read: " + Text.clean(String.valueOf(e.getMessage()), 200));
            }
        }
        return new Scan(networks, errors);
    }

    public Path confDir() {
        return confDir;
    }

    private List<Path> files() throws CniException {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(confDir)) {
            for (Path p : dir) {
                String n = p.getFileName().toString();
                if (EXTENSIONS.stream().anyMatch(n::endsWith) && Files.isRegularFile(p)) {
                    names.add(n);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new CniException("cannot list the CNI config dir " + confDir + ": " + e.getMessage()
                    + "; check --cni-conf-dir and its permissions", e);
        }
        List<Path> files = new ArrayList<>();
        names.forEach(n -> files.add(confDir.resolve(n)));
        return files;
    }

    private static byte[] read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IOException("larger than " + MAX_FILE_BYTES + " bytes");
            }
            return bytes;
        }
    }
}
