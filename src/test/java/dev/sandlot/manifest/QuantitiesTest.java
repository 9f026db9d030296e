package dev.sandlot.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class QuantitiesTest {

    @ParameterizedTest
    @CsvSource({
        "256Mi, 268435456", "1Gi, 1073741824", "512M, 512000000", "1G, 1000000000", "1000000, 1000000",
        "1.5Gi, 1610612736", "1k, 1000", "1Ki, 1024", "0.5, 1", "1, 1", "0.5Ki, 512", "16Ti, 17592186044416",
        "2.000000001G, 2000000001", "1.1, 2",
    })
    void memoryQuantitiesBecomeBytesRoundedUp(String text, long bytes) {
        assertThat(Quantities.memoryBytes(text)).isEqualTo(Quantities.Parsed.ok(bytes));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 1Gi", "1Gi ", "1 Gi", "1gi", "1GB", "1.Gi", ".5Gi", "-1", "+1", "0644", "1e9",
        "1e999999", "0x10", "1_000", "500m", "Infinity", "NaN", "1Gi\n", "１Gi", "99999999999999999999"})
    void malformedMemoryQuantitiesAreRefused(String text) {
        assertThat(Quantities.memoryBytes(text).problem()).startsWith("must be a memory quantity");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.0", "0Gi", "0.000000000Ki"})
    void memoryMustBePositive(String text) {
        assertThat(Quantities.memoryBytes(text).problem()).isEqualTo("must be more than 0");
    }

    @ParameterizedTest
    @ValueSource(strings = {"17Ti", "1Pi", "1Ei", "999999999999999999E", "17592186044417"})
    void memoryHasASaneMaximum(String text) {
        assertThat(Quantities.memoryBytes(text).problem()).isEqualTo("must be at most 16Ti");
    }

    @ParameterizedTest
    @CsvSource({"0.5, 500", "2, 2000", "1.25, 1250", "0.001, 1", "1024, 1024000", "0.1, 100", "3.14, 3140", "1.0, 1000"})
    void cpusBecomeMilliCpus(String text, long milli) {
        assertThat(Quantities.milliCpus(text)).isEqualTo(Quantities.Parsed.ok(milli));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1", "+1", ".5", "1.", "0.0005", "1e3", "500m", "01", "1,5", ".nan", "1_0", "10000", " 1"})
    void malformedCpusAreRefused(String text) {
        assertThat(Quantities.milliCpus(text).problem()).startsWith("must be a positive number of CPUs");
    }

    @ParameterizedTest
    @CsvSource({"0, must be at least 0.001", "0.000, must be at least 0.001", "1025, must be at most 1024",
        "1024.001, must be at most 1024"})
    void cpusAreBounded(String text, String problem) {
        assertThat(Quantities.milliCpus(text).problem()).isEqualTo(problem);
    }

    @ParameterizedTest
    @CsvSource({"0s, 0", "500ms, 500", "10s, 10000", "2m, 120000", "1h, 3600000", "1h30m, 5400000",
        "1m30s, 90000", "1s500ms, 1500", "90s, 90000", "1h0m0s0ms, 3600000", "9999999ms, 9999999"})
    void durationsBecomeMilliseconds(String text, long millis) {
        assertThat(Quantities.durationMillis(text, 0, Long.MAX_VALUE)).isEqualTo(Quantities.Parsed.ok(millis));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "10", "s", "ms", "1.5s", "-1s", "+1s", "1 s", " 1s", "1s ", "1S", "1d", "1us",
        "1s1m", "1m1h", "1ms1s", "1h1h", "1m30", "12345678s", "1e3s", "0x10s", "1_000ms", "１s", "1s\n", "PT1S"})
    void malformedDurationsAreRefused(String text) {
        assertThat(Quantities.durationMillis(text, 0, Long.MAX_VALUE).problem())
                .isEqualTo("must be a duration with a unit, such as 500ms, 10s, 2m or 1h30m");
    }

    @ParameterizedTest
    @CsvSource({"999ms, must be from 1s to 1h", "1h1ms, must be from 1s to 1h", "2h, must be from 1s to 1h"})
    void durationsAreBounded(String text, String problem) {
        assertThat(Quantities.durationMillis(text, 1000, 3_600_000).problem()).isEqualTo(problem);
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "1, 1ms", "100, 100ms", "1000, 1s", "90000, 1m30s", "3600000, 1h", "3600001, 1h1ms"})
    void durationsAreSpelledShortestInMessages(long millis, String text) {
        assertThat(Quantities.formatDuration(millis)).isEqualTo(text);
    }
}
