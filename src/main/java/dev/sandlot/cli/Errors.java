package dev.sandlot.cli;

/** One line for a failure a command cannot recover from. */
final class Errors {
    private Errors() {
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return message;
    }
}
