package dev.sandlot.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RELIABILITY.md §D items 28 and 29: `bin/sandlot apply` killed (halted as by kill -9, through
 * {@code SANDLOT_CRASHPOINT}) at every step boundary of create and teardown, with its manifest kept
 * or removed while it is down; then a normal apply must end with exactly one sandbox, netns and
 * IP for that name, or nothing at all, and every attachment that got an ADD (even one whose result
 * was never saved) must have had its DEL. The sandboxes of earlier cases keep running untouched
 * (I1) and the resource counts add up exactly (I2).
 */
@Timeout(900)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashIT {
    static final List<String> CREATE_POINTS = List.of("create:after-record", "create:after-netns",
            "create:before-cni-result-lo", "create:after-cni-add-lo", "create:before-cni-result-eth0",
            "create:after-cni-add-eth0", "create:after-bundle", "create:after-run");
    static final List<String> TEARDOWN_POINTS = List.of("teardown:after-stop", "teardown:after-runsc-delete",
            "teardown:after-cni-del", "teardown:after-netns-delete");

    private FaultHost fh;
    private FaultHost.Leaks empty;
    /** Sandboxes that must keep running untouched: the bystander and every kept case so far. */
    private final Map<String, FaultHost.Identity> survivors = new LinkedHashMap<>();
    private int cases;

    @BeforeAll
    void setUp() throws Exception {
        fh = new FaultHost("rd", 2, "rd-").plantDecoys();
        empty = fh.leaks();
        fh.manifest("rd-bystander", "v1");
        fh.apply();
        survivors.putAll(fh.identities("rd-bystander"));
    }

    @AfterAll
    void tearDown() throws Exception {
        fh.close();
    }

    static Stream<Arguments> crashes() {
        List<Arguments> all = new ArrayList<>();
        for (String point : CREATE_POINTS) {
            all.add(Arguments.of(point, true));
            all.add(Arguments.of(point, false));
        }
        for (String point : TEARDOWN_POINTS) {
            all.add(Arguments.of(point, true));
            all.add(Arguments.of(point, false));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, manifest kept: {1}")
    @MethodSource("crashes")
    void aCrashAtAnyStepBoundaryEndsWithExactlyOneSandboxOrNothing(String point, boolean kept) throws Exception {
        String name = "rd-" + (++cases);
        fh.manifest(name, "v1");
        if (point.startsWith("teardown:")) {
            // A running sandbox whose spec changes: the crashing apply tears the old incarnation down.
            fh.apply();
            fh.manifest(name, "v2");
        }
        TestHost.Run crashed = fh.child(Map.of("SANDLOT_CRASHPOINT", point), "apply");
        assertThat(crashed.exit()).as(crashed.out() + crashed.err()).isEqualTo(137);
        assertThat(crashed.err()).contains("crashpoint " + point + " reached");

        if (!kept) {
            Files.delete(fh.host.manifests.resolve(name + ".yaml"));
        }
        TestHost.Run recovered = fh.apply();

        if (kept) {
            var row = fh.status(name);
            assertThat(FaultHost.running(row)).as(recovered.out()).isTrue();
            assertThat(TestHost.httpGet(row.get("ip").asText())).isEqualTo("Hello World!\n");
        } else {
            assertThat(fh.status(name)).as("nothing left of " + name).isNull();
        }
        fh.assertUntouched(survivors);
        if (kept) {
            survivors.putAll(fh.identities(name));
        }
        fh.awaitLeaks(FaultHost.plus(empty, survivors.size()), 15_000);
        fh.assertDecoysUntouched();
        fh.assertNoSecondAddWithoutDel();
        // Item 29: every attachment of an id that is gone ended with a DEL, even one whose ADD
        // result was never saved.
        String running = kept ? survivors.get(name).id() : "";
        fh.assertEveryAddOfGoneIdsWasDeleted(id -> id.startsWith("sandlot-" + name + ".") && !id.equals(running));
        if (point.startsWith("create:before-cni-result-eth0")) {
            assertThat(fh.cniCalls().stream().filter(c -> c.id().startsWith("sandlot-" + name + ".")
                    && !c.id().equals(running) && c.command().equals("DEL") && c.delegate().equals("bridge")))
                    .as("the ADD whose result was lost got its DEL").hasSize(1);
        }
    }

    /** A new crash point in the code must be added to the lists above. */
    @Test
    void everyCrashPointInTheCodeIsExercised() throws IOException {
        TreeSet<String> inCode = new TreeSet<>();
        Pattern call = Pattern.compile("Crashpoint\\.reached\\(\"([^\"]+)\"( \\+ ifname)?\\)");
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = call.matcher(Files.readString(f));
                while (m.find()) {
                    if (m.group(2) != null) {
                        inCode.add(m.group(1) + "lo");
                        inCode.add(m.group(1) + "eth0");
                    } else {
                        inCode.add(m.group(1));
                    }
                }
            }
        }
        TreeSet<String> covered = new TreeSet<>(CREATE_POINTS);
        covered.addAll(TEARDOWN_POINTS);
        assertThat(inCode).isEqualTo(covered);
    }
}
