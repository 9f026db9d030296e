package dev.sandlot.control;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/**
 * The daemon's log layout: one line per action with the sandbox name. Under systemd (journald
 * sets {@code JOURNAL_STREAM}) lines carry no timestamp, since the journal adds its own; {@code json}
 * gives one JSON object per line for log shippers.
 */
public final class Logging {
    private Logging() {
    }

    public static void configureDaemon(String format) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        boolean journald = System.getenv("JOURNAL_STREAM") != null;
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget(journald ? "System.out" : "System.err");
        console.setEncoder(encoder(context, format, journald));
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.detachAndStopAllAppenders();
        root.addAppender(console);
        root.setLevel(Level.INFO);
        context.getLogger("org.quartz").setLevel(Level.WARN);
    }

    /**
     * One line per event: {@code json} as one JSON object (MDC included), else text with the
     * sandbox name from the MDC, and a timestamp unless journald (which stamps each line) reads it.
     */
    static Encoder<ILoggingEvent> encoder(LoggerContext context, String format, boolean journald) {
        if ("json".equals(format)) {
            JsonEncoder json = new JsonEncoder();
            json.setContext(context);
            // Shippers search the text as read, not logback's "{}" template with its arguments apart.
            json.setWithFormattedMessage(true);
            json.start();
            return json;
        }
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        pattern.setPattern((journald ? "" : "%d{yyyy-MM-dd'T'HH:mm:ss.SSS} ")
                + "%-5level %replace([%X{sandbox}] ){'\\[\\] ', ''}%msg%n");
        pattern.start();
        return pattern;
    }
}
