package dev.sandlot.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sandlot.host.RunscContainer;
import dev.sandlot.manifest.Location;
import dev.sandlot.manifest.Manifest;
import dev.sandlot.manifest.ProcessSpec;
import dev.sandlot.manifest.Resources;
import dev.sandlot.manifest.RestartPolicy;
import dev.sandlot.manifest.Rootfs;
import dev.sandlot.manifest.SandboxSpec;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.state.AttachmentRecord;
import dev.sandlot.state.SandboxId;
import dev.sandlot.state.SandboxRecord;
import dev.sandlot.state.StateStore;
import dev.sandlot.state.StoredAttachment;
import dev.sandlot.state.StoredSandbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builders for desired sandboxes and observed incarnations, for planner and status tests. */
public final class Fixtures {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** When fixture incarnations were created; ended ones ended a second later. */
    public static final Instant CREATED = Instant.parse("2026-11-27T00:00:00Z");

    /** A copy of {@code inc} whose process ended with {@code code} (null: unknown) at {@code at}. */
    public static Incarnation ended(Incarnation inc, Integer code, Instant at) {
        return new Incarnation(inc.id(), inc.stored(), inc.container(), RuntimeState.EXITED, inc.netnsExists(),
                inc.missingHostInterfaces(), code, at);
    }

    private Fixtures() {
    }

    public static SandboxSpec spec(String name, String version, String... networks) {
        return new SandboxSpec(Rootfs.directory("/srv/rootfs"),
                new ProcessSpec(List.of("/bin/httpd", "-f"), "/", Map.of("V", version), ProcessSpec.User.ROOT),
                name, List.of(networks), List.of(), Resources.NONE, RestartPolicy.Always);
    }

    public static DesiredSandbox desired(String name, String version, String... networks) {
        return DesiredSandbox.of(new Manifest(name, Map.of(), spec(name, version, networks),
                new Location(name + ".yaml", 1, 1)), name + ".yaml");
    }

    public static SandboxId id(String name, String token) {
        return new SandboxId("sandlot-" + name + "." + token);
    }

    /** A healthy incarnation of {@code desired}: running, netns present, every attachment added. */
    public static Incarnation running(DesiredSandbox desired, String token, int pid) {
        return incarnation(desired, token, RuntimeState.RUNNING, pid, true, true);
    }

    public static Incarnation incarnation(DesiredSandbox desired, String token, RuntimeState runtime, int pid,
            boolean netns, boolean attachmentsComplete) {
        SandboxId id = id(desired.name(), token);
        SandboxSpec spec = desired.manifest().spec();
        SandboxRecord record = new SandboxRecord(StateStore.FORMAT, id.value(), desired.name(), desired.specHash(),
                spec, desired.sourceFile(), CREATED, "boot");
        List<StoredAttachment> attachments = new ArrayList<>();
        attachments.add(attachment(0, "lo", "lo", "127.0.0.1/8"));
        for (int i = 0; i < spec.networks().size(); i++) {
            boolean last = i == spec.networks().size() - 1;
            attachments.add(attachment(i + 1, spec.networks().get(i), "eth" + i,
                    attachmentsComplete || !last ? "10.0.0." + (pid % 250 + 2) + "/24" : null));
        }
        RunscContainer container = runtime == RuntimeState.ABSENT ? null
                : new RunscContainer(id.value(), runtime == RuntimeState.RUNNING ? pid : -1,
                        runtime == RuntimeState.RUNNING ? "running" : "stopped", Path.of("/b"));
        return new Incarnation(id, new StoredSandbox(id, record, attachments, null, null, List.of()), container, runtime,
                netns, List.of(), null, runtime == RuntimeState.RUNNING ? null : CREATED.plusSeconds(1));
    }

    static StoredAttachment attachment(int index, String network, String ifname, String address) {
        AttachmentRecord r = AttachmentRecord.beforeAdd(index, network, ifname,
                "{}".getBytes(StandardCharsets.UTF_8));
        if (address != null) {
            r = r.withResult(result(address));
        }
        return new StoredAttachment("attachment-" + index, index, network, ifname, r);
    }

    static JsonNode result(String address) {
        try {
            return JSON.readTree("{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"br0\"},"
                    + "{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],\"ips\":[{\"address\":\"" + address
                    + "\",\"interface\":1}]}");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
