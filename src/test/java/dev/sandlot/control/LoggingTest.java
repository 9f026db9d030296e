package dev.sandlot.control;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The daemon's three line layouts: text with a timestamp, text for journald, JSON. */
class LoggingTest {
    private final LoggerContext context = new LoggerContext();

    @Test
    void textCarriesATimestampAndTheSandboxName() {
        String line = encode(Logging.encoder(context, "text", false), event(Map.of("sandbox", "web")));
        assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[web\\] created in 0.4 s\n");
    }

    @Test
    void underJournaldTheLineHasNoTimestampOfItsOwn() {
        String line = encode(Logging.encoder(context, "text", true), event(Map.of("sandbox", "web")));
        assertThat(line).isEqualTo("INFO  [web] created in 0.4 s\n");
    }

    @Test
    void aLineWithoutSandboxHasNoEmptyBrackets() {
        assertThat(encode(Logging.encoder(context, "text", true), event(Map.of())))
                .isEqualTo("INFO  created in 0.4 s\n");
    }

    @Test
    void jsonIsOneObjectPerLineWithTheSandboxName() throws Exception {
        String line = encode(Logging.encoder(context, "json", true), event(Map.of("sandbox", "web")));
        assertThat(line).endsWith("\n");
        assertThat(line.strip()).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        assertThat(json.get("formattedMessage").asText()).isEqualTo("created in 0.4 s");
        assertThat(json.toString()).contains("\"sandbox\"").contains("\"web\"");
    }

    private LoggingEvent event(Map<String, String> mdc) {
        LoggingEvent e = new LoggingEvent();
        e.setLoggerContext(context);
        e.setLoggerName("dev.sandlot.control.Daemon");
        e.setLevel(Level.INFO);
        e.setMessage("created in {} s");
        e.setArgumentArray(new Object[] {0.4});
        e.setTimeStamp(System.currentTimeMillis());
        e.setThreadName("worker");
        e.setMDCPropertyMap(mdc);
        return e;
    }

    private static String encode(Encoder<ILoggingEvent> encoder, ILoggingEvent event) {
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }
}
