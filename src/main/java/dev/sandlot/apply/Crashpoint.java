package dev.sandlot.apply;

/**
 * Named step boundaries of create and teardown where a fault test can make sandlot die as if
 * killed -9 ({@code SANDLOT_CRASHPOINT=create:after-netns}). Inert unless that variable is set:
 * the check is one string comparison against a value read once.
 */
final class Crashpoint {
    private static final String TARGET = System.getenv("SANDLOT_CRASHPOINT");

    private Crashpoint() {
    }

    static void reached(String point) {
        if (TARGET != null && TARGET.equals(point)) {
            System.err.println("sandlot: crashpoint " + point + " reached; halting");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
