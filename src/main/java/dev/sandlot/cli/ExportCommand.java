package dev.sandlot.cli;

import dev.sandlot.export.KubernetesExport;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.ManifestError;
import dev.sandlot.manifest.ManifestFile;
import dev.sandlot.manifest.ManifestFiles;
import dev.sandlot.manifest.ManifestParser;
import dev.sandlot.manifest.ParseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Print manifests as Kubernetes objects that run under gVisor (runtimeClassName: gvisor):",
            "a Pod per sandbox, a CronJob for one with a schedule, as multi-document YAML on stdout.",
            "Reads files and folders as validate does; what has no Kubernetes equivalent is said in",
            "comments. envFrom files become Secret references: their values are never read.",
            "Exit status: 0 exported, 1 any file invalid (nothing is printed then)."},
        footer = {"", "Example:", "  sandlot export --kubernetes /etc/sandlot/manifests > pods.yaml"})
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--kubernetes", required = true, description = "Kubernetes Pods and CronJobs (the only format).")
    boolean kubernetes;

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Manifest files or folders.")
    List<Path> paths = new ArrayList<>();

    @CommandLine.Mixin
    CommonOptions options;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            List<Path> allow = options.resolve().mountAllowList().stream()
                    .map(p -> p.toAbsolutePath().normalize()).toList();
            List<Manifest> manifests = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (Path path : paths) {
                List<ManifestFile> files;
                if (Files.isDirectory(path)) {
                    try {
                        files = ManifestFiles.read(path);
                    } catch (IOException e) {
                        errors.add(ManifestError.ofFile(path.toString(), "folder cannot be read").toString());
                        continue;
                    }
                } else {
                    files = List.of(ManifestFiles.readFile(path));
                }
                for (ManifestFile f : files) {
                    String name = f.path().toString();
                    if (f instanceof ManifestFile.Unreadable u) {
                        errors.add(ManifestError.ofFile(name, u.reason()).toString());
                        continue;
                    }
                    ParseResult r = ManifestParser.parse(name, ((ManifestFile.Loaded) f).content(), allow);
                    r.errors().forEach(e -> errors.add(e.toString()));
                    if (r.valid()) {
                        manifests.addAll(r.manifests());
                    }
                }
            }
            if (!errors.isEmpty()) {
                errors.forEach(e -> spec.commandLine().getErr().println(e));
                spec.commandLine().getErr().println("nothing exported: " + errors.size() + " error(s); see sandlot validate");
                return 1;
            }
            spec.commandLine().getOut().print(KubernetesExport.export(manifests));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (Exception e) {
            spec.commandLine().getErr().println("sandlot export: " + Errors.describe(e));
            return 1;
        }
    }
}
