package dev.sandlot.host;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Removes the iptables rules CNI plugins made for one container id, for teardown after its netns is
 * already gone: the bridge plugin then frees the IP but cannot tell which address it masqueraded,
 * so its NAT chain stays (DESIGN.md §6).
 *
 * <p>Only rules whose comment names exactly {@code id: "<containerId>"} are touched (the plugins
 * write {@code name: "<net>" id: "<id>"}), and only {@code CNI-} chains that such rules jump to and
 * that hold nothing but such rules are flushed and deleted. iptables is shared by every runtime on
 * the host: nothing else is ever touched.
 */
public final class Iptables {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String LOCK_WAIT_SECONDS = "5";

    private final ProcessRunner runner;
    private final String program;

    public Iptables(ProcessRunner runner) {
        this(runner, "iptables");
    }

    /** @param program {@code iptables}, or {@code ip6tables} for IPv6 rules */
    public Iptables(ProcessRunner runner, String program) {
        this.runner = runner;
        this.program = program;
    }

    /** Removes the container's rules and chains from the nat table; returns how many rules went. */
    public int removeChainsFor(String containerId) throws HostException {
        return removeChainsFor("nat", containerId);
    }

    /** As {@link #removeChainsFor(String)}, in any table. */
    public int removeChainsFor(String table, String containerId) throws HostException {
        if (containerId == null || !containerId.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*")) {
            throw new IllegalArgumentException("invalid container id: " + containerId);
        }
        ExecResult listing = exec(List.of("-t", table, "-S"), "list the " + table + " table");
        Cleanup plan = plan(listing.stdoutText(), containerId);
        int removed = 0;
        for (Rule r : plan.deletes()) {
            List<String> args = new ArrayList<>(List.of("-t", table, "-D", r.chain()));
            args.addAll(r.spec());
            exec(args, "delete a rule of " + containerId + " from chain " + r.chain());
            removed++;
        }
        for (Map.Entry<String, Integer> chain : plan.chains().entrySet()) {
            exec(List.of("-t", table, "-F", chain.getKey()), "flush chain " + chain.getKey() + " of " + containerId);
            exec(List.of("-t", table, "-X", chain.getKey()), "delete chain " + chain.getKey() + " of " + containerId);
            removed += chain.getValue();
        }
        return removed;
    }

    /** What to remove: single rules to delete (jumps first), and whole chains with their rule counts. */
    record Cleanup(List<Rule> deletes, Map<String, Integer> chains) {
    }

    /** One {@code -A} line of {@code iptables -S}: its chain and the rest of its spec, unquoted. */
    record Rule(String chain, List<String> spec) {
        String comment() {
            int i = spec.indexOf("--comment");
            return i >= 0 && i + 1 < spec.size() ? spec.get(i + 1) : null;
        }

        String target() {
            for (int i = 0; i + 1 < spec.size(); i++) {
                if (spec.get(i).equals("-j") || spec.get(i).equals("-g")) {
                    return spec.get(i + 1);
                }
            }
            return null;
        }
    }

    /** Decides, from one listing, exactly what belongs to {@code containerId}. */
    static Cleanup plan(String listing, String containerId) {
        Pattern mine = Pattern.compile("(^|\\s)id: \"" + Pattern.quote(containerId) + "\"(\\s|$)");
        Set<String> declared = new LinkedHashSet<>();
        Map<String, List<Rule>> byChain = new LinkedHashMap<>();
        List<Rule> matching = new ArrayList<>();
        for (String line : listing.split("\n")) {
            List<String> tokens = tokenize(line.strip());
            if (tokens.size() >= 2 && tokens.get(0).equals("-N")) {
                declared.add(tokens.get(1));
            } else if (tokens.size() >= 2 && tokens.get(0).equals("-A")) {
                Rule rule = new Rule(tokens.get(1), List.copyOf(tokens.subList(2, tokens.size())));
                byChain.computeIfAbsent(rule.chain(), k -> new ArrayList<>()).add(rule);
                String comment = rule.comment();
                if (comment != null && mine.matcher(comment).find()) {
                    matching.add(rule);
                }
            }
        }
        // Chains to remove whole: CNI- chains a matching rule jumps to, holding only matching rules.
        Map<String, Integer> chains = new LinkedHashMap<>();
        for (Rule r : matching) {
            String target = r.target();
            if (target == null || !target.startsWith("CNI-") || !declared.contains(target)
                    || target.equals(r.chain()) || chains.containsKey(target)) {
                continue;
            }
            List<Rule> inside = byChain.getOrDefault(target, List.of());
            if (inside.stream().allMatch(matching::contains)) {
                chains.put(target, inside.size());
            }
        }
        List<Rule> deletes = new ArrayList<>();
        for (Rule r : matching) {
            if (!chains.containsKey(r.chain())) {
                deletes.add(r);
            }
        }
        return new Cleanup(deletes, chains);
    }

    /**
     * Splits an {@code iptables -S} line: words separated by spaces; a double-quoted word may hold
     * spaces and backslash-escaped {@code " \ '} (iptables' xtables_save_string).
     */
    static List<String> tokenize(String line) {
        List<String> tokens = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '\\' && i + 1 < line.length()) {
                    cur.append(line.charAt(++i));
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                inWord = true;
            } else if (c == ' ') {
                if (inWord) {
                    tokens.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            tokens.add(cur.toString());
        }
        return tokens;
    }

    private ExecResult exec(List<String> args, String what) throws HostException {
        List<String> argv = new ArrayList<>();
        argv.add(program);
        argv.add("-w");
        argv.add(LOCK_WAIT_SECONDS);
        argv.addAll(args);
        ExecResult r;
        try {
            r = runner.run(new ExecRequest(argv, ExecRequest.HOST_ENV, null, TIMEOUT, null, 16 << 20));
        } catch (IOException e) {
            throw new HostException(program + ": cannot " + what + ": " + e.getMessage(), e);
        }
        if (!r.succeeded()) {
            throw new HostException(program + ": cannot " + what + " (exit " + r.exitCode() + "): "
                    + Text.clean(r.stderr(), 500) + "; check that iptables works (`" + program + " -t nat -S`)");
        }
        if (r.truncated()) {
            throw new HostException(program + ": the listing to " + what + " is larger than 16 MiB; not touching it");
        }
        return r;
    }
}
