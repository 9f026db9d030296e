package dev.sandlot.source;

import dev.sandlot.manifest.Location;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.ManifestFile;
import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.plan.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** File results for merger and store tests: built from specs, or parsed from YAML text. */
final class SourceFixtures {
    private SourceFixtures() {
    }

    /** A manifest named {@code name} whose spec differs by {@code version}. */
    static Manifest manifest(String name, String version, String file) {
        return new Manifest(name, Map.of(), Fixtures.spec(name, version), new Location(file, 1, 1));
    }

    static FileResult valid(String file, Manifest... manifests) {
        return new FileResult(file, List.of(manifests), List.of());
    }

    static FileResult validWith(String file, String name, String version) {
        return valid(file, manifest(name, version, file));
    }

    static FileResult invalid(String file, String... errors) {
        return new FileResult(file, List.of(), List.of(errors));
    }

    /** The YAML text of a minimal valid sandbox. */
    static String yaml(String name, String arg) {
        return """
                apiVersion: sandlot.dev/v1
                kind: Sandbox
                metadata:
                  name: %s
                spec:
                  rootfs:
                    path: /srv/rootfs/web
                  process:
                    args: ["/bin/httpd", "%s"]
                """.formatted(name, arg);
    }

    /** Reads YAML text as the folder source would read file {@code file}. */
    static FileResult parsed(String file, String yaml) {
        return FolderSource.parse(new ManifestFile.Loaded(Path.of(file), yaml.getBytes(StandardCharsets.UTF_8)),
                ManifestParser.DEFAULT_MOUNT_ALLOW_LIST);
    }
}
