package dev.sandlot.plan;

import dev.sandlot.manifest.RestartPolicy;
import dev.sandlot.manifest.SandboxSpec;
import dev.sandlot.observe.Incarnation;
import dev.sandlot.observe.Observation;
import dev.sandlot.observe.RuntimeState;
import dev.sandlot.source.DesiredSandbox;
import dev.sandlot.source.DesiredState;
import dev.sandlot.state.StoredAttachment;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pure heart of sandlot: (desired, observed) → actions. No I/O, no clock, no randomness, so
 * that every convergence rule is a unit test.
 *
 * <p>Rules for one name: with no manifest, every incarnation is torn down. With one, the first
 * healthy incarnation whose spec hash matches is kept and every other is torn down; if none is
 * healthy and current, the broken or outdated ones are torn down and one new one is created. A
 * sandbox is recreated whole, never repaired: its veth addresses cannot be reused (DESIGN.md §4).
 *
 * <p>An incarnation whose process ended is restarted as its restart policy says, after the
 * crash-loop back-off; one that the policy does not restart is kept (stopped) so that its exit code
 * and logs stay visible until the manifest changes or goes.
 */
public final class Planner {
    /** Why an incarnation is replaced when the archive or image its tree came from has new content. */
    public static final String ROOTFS_CHANGED = "rootfs content changed";
    /** How often a sandbox waiting on dependencies (or dependents) is looked at again. */
    static final Duration DEPENDENCY_POLL = Duration.ofSeconds(1);

    private Planner() {
    }

    public static Plan plan(DesiredState desired, Observation observed, PlanContext context) {
        TreeSet<String> names = new TreeSet<>(desired.sandboxes().keySet());
        names.addAll(observed.byName().keySet());
        List<SandboxPlan> plans = new ArrayList<>();
        for (String name : names) {
            plans.add(planOne(name, desired.get(name), observed.of(name), context));
        }
        return new Plan(plans);
    }

    /** The plan for one name; {@code desired} is null when no manifest names it. */
    public static SandboxPlan planOne(String name, DesiredSandbox desired, List<Incarnation> observed,
            PlanContext context) {
        List<Action> actions = new ArrayList<>();
        if (desired == null) {
            Set<String> dependents = context.dependents().getOrDefault(name, Set.of());
            if (!observed.isEmpty() && !dependents.isEmpty()) {
                // Reverse order: what depends on this sandbox goes first.
                return new SandboxPlan(name, List.of(), "WaitingForDependents " + String.join(",", new TreeSet<>(dependents)),
                        DEPENDENCY_POLL, 0);
            }
            for (Incarnation inc : observed) {
                actions.add(new Action.Teardown(inc, "no manifest"));
            }
            return new SandboxPlan(name, actions);
        }
        SandboxSpec spec = desired.manifest().spec();
        if (spec.suspend()) {
            for (Incarnation inc : observed) {
                actions.add(new Action.Teardown(inc, "suspended"));
            }
            return new SandboxPlan(name, actions, actions.isEmpty() ? "Suspended" : null, null, 0);
        }
        if (spec.schedule() != null) {
            SandboxPlan scheduled = planScheduled(name, desired, observed, context);
            if (scheduled != null) {
                return scheduled;
            }
        }
        Optional<Incarnation> keeper = observed.stream()
                .filter(inc -> problem(inc, desired, context) == null)
                .findFirst()
                .or(() -> exited(desired, observed).filter(inc -> !restarts(desired, inc)));
        if (keeper.isPresent()) {
            for (Incarnation inc : observed) {
                if (inc != keeper.get()) {
                    actions.add(new Action.Teardown(inc, "extra incarnation"));
                }
            }
            return new SandboxPlan(name, actions);
        }
        List<String> notReady = spec.dependsOn().stream().filter(d -> !context.ready().contains(d)).toList();
        if (!notReady.isEmpty()) {
            return new SandboxPlan(name, List.of(), "WaitingForDependencies " + String.join(",", notReady),
                    DEPENDENCY_POLL, 0);
        }
        Optional<Incarnation> crashed = exited(desired, observed);
        int attempt = 0;
        if (crashed.isPresent()) {
            Incarnation inc = crashed.get();
            int previous = ranLongEnough(inc, context) ? 0 : context.restartsOf(name);
            Instant due = inc.exitedAt().plus(context.crashLoop().delay(previous));
            if (context.now().isBefore(due)) {
                return new SandboxPlan(name, List.of(), "CrashLoopBackOff", Duration.between(context.now(), due), 0);
            }
            attempt = previous + 1;
        }
        String reason = "new";
        for (Incarnation inc : observed) {
            String problem = problem(inc, desired, context);
            actions.add(new Action.Teardown(inc, problem));
            if ("new".equals(reason)) {
                reason = problem;
            }
        }
        actions.add(new Action.Create(desired, reason));
        return new SandboxPlan(name, actions, null, null, attempt);
    }

    /**
     * A scheduled sandbox runs only when a run was requested after its newest incarnation started
     * (the daemon requests one at each fire time, unless a run is still going). Returns null when
     * the normal rules apply (a requested run to start, or a running one to keep).
     */
    private static SandboxPlan planScheduled(String name, DesiredSandbox desired, List<Incarnation> observed,
            PlanContext context) {
        if (observed.stream().anyMatch(i -> i.runtime() == RuntimeState.RUNNING)) {
            return null; // a run is going: kept (or repaired) by the normal rules
        }
        Instant requested = context.runRequests().get(name);
        Optional<Incarnation> newest = observed.stream().filter(i -> i.createdAt() != null)
                .max(java.util.Comparator.comparing(Incarnation::createdAt));
        if (requested != null && (newest.isEmpty() || requested.isAfter(newest.get().createdAt()))) {
            List<Action> actions = new ArrayList<>();
            for (Incarnation inc : observed) {
                actions.add(new Action.Teardown(inc, "previous run"));
            }
            actions.add(new Action.Create(desired, "scheduled run"));
            return new SandboxPlan(name, actions);
        }
        if (newest.isPresent() && newest.get().exitedAt() != null && restarts(desired, newest.get())
                && desired.specHash().equals(newest.get().specHash())) {
            return null; // OnFailure: a failed run is retried, with back-off
        }
        return new SandboxPlan(name, List.of(), "Scheduled", null, 0);
    }

    /**
     * The newest incarnation of the current spec whose process ended (or vanished): the one the
     * restart policy is about.
     */
    static Optional<Incarnation> exited(DesiredSandbox desired, List<Incarnation> observed) {
        return observed.stream()
                .filter(inc -> inc.runtime() != RuntimeState.RUNNING && inc.exitedAt() != null
                        && inc.createdAt() != null && desired.specHash().equals(inc.specHash()))
                .max(java.util.Comparator.comparing(Incarnation::createdAt));
    }

    /** Whether the restart policy restarts this ended incarnation (unknown exit codes count as failures). */
    public static boolean restarts(DesiredSandbox desired, Incarnation ended) {
        RestartPolicy policy = desired.manifest().spec().restartPolicy();
        return switch (policy) {
            case Always -> true;
            case OnFailure -> ended.exitCode() == null || ended.exitCode() != 0;
            case Never -> false;
        };
    }

    private static boolean ranLongEnough(Incarnation inc, PlanContext context) {
        return Duration.between(inc.createdAt(), inc.exitedAt()).compareTo(context.crashLoop().resetAfter()) >= 0;
    }

    /**
     * {@link #problem(Incarnation, DesiredSandbox)}, or else a rootfs whose content changed on the
     * host: the spec hash is the manifest's alone, so a new archive at the same path or an image
     * ref moved to a new manifest is noticed through the digest recorded at create.
     */
    static String problem(Incarnation inc, DesiredSandbox desired, PlanContext context) {
        String problem = problem(inc, desired);
        if (problem != null) {
            return problem;
        }
        String now = context.rootfsDigests().get(desired.name());
        String used = inc.stored().record().rootfsDigest();
        return now != null && used != null && !now.equals(used) ? ROOTFS_CHANGED : null;
    }

    /** Why {@code inc} cannot serve as {@code desired}, or null when it can. */
    public static String problem(Incarnation inc, DesiredSandbox desired) {
        if (inc.stored() == null) {
            return "unrecorded container";
        }
        if (inc.stored().record() == null) {
            return "record unreadable";
        }
        if (!desired.specHash().equals(inc.specHash())) {
            return "spec changed";
        }
        if (inc.runtime() == RuntimeState.ABSENT) {
            return incomplete(inc, desired.manifest().spec()) ? "incomplete create" : "process gone";
        }
        if (inc.runtime() == RuntimeState.EXITED) {
            return "process exited";
        }
        if (!inc.netnsExists()) {
            return "netns missing";
        }
        if (incomplete(inc, desired.manifest().spec())) {
            return "network attachment missing";
        }
        if (!inc.missingHostInterfaces().isEmpty()) {
            return "host interface " + inc.missingHostInterfaces().get(0) + " missing";
        }
        return null;
    }

    /** True unless loopback and every network of the spec have a completed ADD on record. */
    static boolean incomplete(Incarnation inc, SandboxSpec spec) {
        List<StoredAttachment> attachments = inc.stored().attachments();
        if (!has(attachments, 0, "lo", "lo")) {
            return true;
        }
        for (int i = 0; i < spec.networks().size(); i++) {
            if (!has(attachments, i + 1, spec.networks().get(i), "eth" + i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean has(List<StoredAttachment> attachments, int index, String network, String ifname) {
        return attachments.stream().anyMatch(a -> a.index() == index && a.network().equals(network)
                && a.ifname().equals(ifname) && a.added());
    }
}
