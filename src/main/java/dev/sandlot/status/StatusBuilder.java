package dev.sandlot.status;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.plan.Planner;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import dev.sandlot.state.StoredAttachment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Derives each sandbox's status from desired state, an observation, and what the last passes
 * recorded (errors, restarts). Pure, like the planner, and agreeing with it: a sandbox is Running
 * exactly when the planner would keep its incarnation.
 */
public final class StatusBuilder {
    private StatusBuilder() {
    }

    /** What the passes remember per name beyond the host: last error and restart count. */
    public record History(String lastError, int restarts) {
        public static final History NONE = new History(null, 0);
    }

    public static List<SandboxStatus> build(DesiredState desired, Observation observed, Map<String, History> history) {
        TreeSet<String> names = new TreeSet<>(desired.sandboxes().keySet());
        names.addAll(observed.byName().keySet());
        List<SandboxStatus> rows = new ArrayList<>();
        for (String name : names) {
            rows.add(one(name, desired.get(name), observed.of(name), history.getOrDefault(name, History.NONE)));
        }
        return rows;
    }

    static SandboxStatus one(String name, DesiredSandbox desired, List<Incarnation> incarnations, History history) {
        Optional<Incarnation> keeper = desired == null ? Optional.empty()
                : incarnations.stream().filter(i -> Planner.problem(i, desired) == null).findFirst();
        Incarnation shown = keeper.orElse(incarnations.isEmpty() ? null : incarnations.get(incarnations.size() - 1));
        Phase phase;
        String reason = null;
        String message = history.lastError() == null ? "" : history.lastError();
        if (desired == null) {
            phase = Phase.Terminating;
            reason = "NoManifest";
        } else if (keeper.isPresent()) {
            phase = Phase.Running;
        } else if (history.lastError() != null) {
            phase = Phase.Failed;
            reason = "CreateFailed";
        } else {
            phase = Phase.Pending;
            reason = shown == null ? "NotCreated" : "Recreating";
            if (shown != null) {
                message = Planner.problem(shown, desired);
            }
        }
        if (desired != null && desired.heldError() != null) {
            reason = "ManifestInvalid";
            message = desired.heldError();
        }
        return new SandboxStatus(
                name,
                phase,
                reason,
                shown == null ? null : ipOf(shown),
                keeper.map(Incarnation::pid).filter(p -> p > 0).orElse(null),
                history.restarts(),
                message,
                shown == null || shown.stored() == null || shown.stored().record() == null
                        ? null : shown.stored().record().createdAt(),
                shown == null ? null : shown.id().value(),
                desired == null ? shown == null ? null : shown.specHash() : desired.specHash(),
                desired == null ? null : desired.sourceFile());
    }

    /** The first IPv4 address of eth0 (attachment 1), without prefix. */
    public static String ipOf(Incarnation inc) {
        if (inc.stored() == null) {
            return null;
        }
        for (StoredAttachment a : inc.stored().attachments()) {
            if (a.index() == 1 && a.added()) {
                return firstIpv4(a.record().result());
            }
        }
        return null;
    }

    static String firstIpv4(JsonNode result) {
        JsonNode ips = result.get("ips");
        if (ips == null || !ips.isArray()) {
            return null;
        }
        for (JsonNode ip : ips) {
            String address = ip.path("address").asText("");
            String bare = address.contains("/") ? address.substring(0, address.indexOf('/')) : address;
            if (bare.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                return bare;
            }
        }
        return null;
    }
}
