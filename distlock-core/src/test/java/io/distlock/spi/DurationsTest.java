package io.distlock.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @Test
    void readsUnitsSumsIsoAndZero() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse(" 2S ")).isEqualTo(Duration.ofSeconds(2));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("PT2.5S")).isEqualTo(Duration.ofMillis(2500));
        assertThat(Durations.parse("pt1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("0")).isZero();
    }

    @Test
    void refusesWhatIsNotADurationQuotingIt() {
        assertThatThrownBy(() -> Durations.parse("5")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'5'").hasMessageContaining("add a unit");
        assertThatThrownBy(() -> Durations.parse("5 seconds")).hasMessageContaining("'5 seconds'");
        assertThatThrownBy(() -> Durations.parse("-PT2S")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Durations.parse("PTxS")).hasMessageContaining("'PTxS'");
        assertThatThrownBy(() -> Durations.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("99999999999999999999d")).hasMessageContaining("too long");
    }

    // From the command line's tests: the wait and lease forms, and formatting.

    @Test
    void readsTheUnitsScriptsUse() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(Durations.parse("3m")).isEqualTo(Duration.ofMinutes(3));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(Durations.parse(" 20S ")).isEqualTo(Duration.ofSeconds(20));
        assertThat(Durations.parse("0")).isZero();
    }

    @Test
    void waitAlsoTakesZeroAndForever() {
        assertThat(Durations.parseWait("0")).isZero();
        assertThat(Durations.parseWait("forever")).isNegative();
        assertThat(Durations.parseWait("250ms")).isEqualTo(Duration.ofMillis(250));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "5x", "s", "1.5s", "-3s", "forever", "20 s", "1s2", "99999999999999999999d"})
    void refusesWhatIsNotADurationNamingIt(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @Test
    void aBareNumberAsksForAUnit() {
        assertThatThrownBy(() -> Durations.parse("30")).hasMessageContaining("add a unit");
    }

    @Test
    void aLeaseMustBeLongerThanZero() {
        assertThatThrownBy(() -> Durations.parsePositive("0")).hasMessageContaining("longer than zero");
        assertThatThrownBy(() -> Durations.parsePositive("0s")).hasMessageContaining("longer than zero");
        assertThatThrownBy(() -> Durations.parsePositive("forever")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void formatsExactlyWhenAskedTo() {
        for (Duration d : new Duration[] {Duration.ofSeconds(20), Duration.ofMillis(50), Duration.ofMillis(1500),
                Duration.ofSeconds(185), Duration.ofMillis(61_001), Duration.ofNanos(1), Duration.ofDays(365)}) {
            assertThat(Durations.parse(Durations.formatExact(d))).as("%s", d).isEqualTo(d);
        }
        assertThat(Durations.formatExact(Duration.ofSeconds(20))).isEqualTo("20s");
        assertThat(Durations.formatExact(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.formatExact(Duration.ofNanos(1))).isEqualTo("PT0.000000001S");
    }

    @Test
    void formatsShortAndReadable() {
        assertThat(Durations.format(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(Durations.format(Duration.ofSeconds(12))).isEqualTo("12s");
        assertThat(Durations.format(Duration.ofSeconds(185))).isEqualTo("3m05s");
        assertThat(Durations.format(Duration.ofMinutes(62))).isEqualTo("1h02m");
        assertThat(Durations.format(Duration.ofHours(51))).isEqualTo("2d03h");
        assertThat(Durations.format(Durations.FOREVER)).isEqualTo("forever");
    }

    // ---------------------------------------------------------------- the one maximum (contract 6.2)

    @Test
    void theMaximumIsAYearAndIsAccepted() {
        assertThat(Durations.MAX).isEqualTo(Duration.ofDays(365));
        assertThat(Durations.parse("365d")).isEqualTo(Durations.MAX);
        assertThat(Durations.parseWait("P365D")).isEqualTo(Durations.MAX);
        assertThat(Durations.requirePositive("lease", Durations.MAX)).isEqualTo(Durations.MAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"366d", "200000d", "365d1ms", "P99999999999D", "PT8784H", "999999999d", "106751991167d"})
    void longerThanTheMaximumIsRefusedNamingTheValueAndTheMaximum(String text) {
        for (java.util.function.Function<String, Duration> parser : java.util.List.<java.util.function.Function<String, Duration>>of(
                Durations::parse, Durations::parsePositive, Durations::parseWait)) {
            assertThatThrownBy(() -> parser.apply(text)).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + text + "'").hasMessageContaining("365d");
        }
    }

    @Test
    void hugeInputNeverEscapesAsAnArithmeticOrDateTimeException() {
        for (String text : java.util.List.of("P9999999999999999999D", "PT9223372036854775807S", "P106751991167301D",
                "9223372036854775807d", "9223372036854775807ms9223372036854775807ms", "PT-9223372036854775808S")) {
            assertThatThrownBy(() -> Durations.parseWait(text)).as(text).isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(text);
        }
    }

    @Test
    void requirePositiveAndRequireAtMostNameTheValueAndTheMaximum() {
        assertThatThrownBy(() -> Durations.requirePositive("operationTimeout", Duration.ofDays(999_999_999)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("operationTimeout")
                .hasMessageContaining("999999999d").hasMessageContaining("365 days");
        assertThatThrownBy(() -> Durations.requireAtMost("lease", ChronoUnit.FOREVER.getDuration()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lease").hasMessageContaining("365 days");
        assertThat(Durations.requireAtMost("wait", Duration.ofSeconds(-1))).isEqualTo(Duration.ofSeconds(-1));
    }

    @Test
    void aBackendUriDurationOverTheMaximumNamesTheParameterAndTheMaximum() {
        BackendUri uri = BackendUri.parse("file:?operationTimeout=999999999d", java.util.Set.of("file"));
        assertThatThrownBy(() -> uri.positiveDuration("operationTimeout", Duration.ofSeconds(5)))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("operationTimeout=999999999d").hasMessageContaining("365 days");
        assertThat(BackendUri.parse("file:?operationTimeout=365d", java.util.Set.of("file")).positiveDuration("operationTimeout", null))
                .isEqualTo(Durations.MAX);
    }

    // ---------------------------------------------------------------- saturating arithmetic

    @Test
    void nanosAndMillisSaturateInsteadOfOverflowing() {
        assertThat(Durations.saturatedNanos(Duration.ofDays(200_000))).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.saturatedNanos(Duration.ofDays(-200_000))).isEqualTo(Long.MIN_VALUE);
        assertThat(Durations.saturatedNanos(Duration.ofSeconds(2))).isEqualTo(2_000_000_000L);
        assertThat(Durations.saturatedMillis(ChronoUnit.FOREVER.getDuration())).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.saturatedMillis(ChronoUnit.FOREVER.getDuration().negated())).isEqualTo(Long.MIN_VALUE);
        assertThat(Durations.saturatedMillis(Duration.ofSeconds(3))).isEqualTo(3000);
    }

    @Test
    void addingSaturates() {
        assertThat(Durations.saturatedAdd(Long.MAX_VALUE - 1, 5)).isEqualTo(Long.MAX_VALUE);
        assertThat(Durations.saturatedAdd(Long.MIN_VALUE + 1, -5)).isEqualTo(Long.MIN_VALUE);
        assertThat(Durations.saturatedAdd(Long.MAX_VALUE, Long.MIN_VALUE)).isEqualTo(-1);
        assertThat(Durations.saturatedAdd(40, 2)).isEqualTo(42);
        assertThat(Durations.plus(Instant.parse("2026-01-01T00:00:00Z"), ChronoUnit.FOREVER.getDuration())).isEqualTo(Instant.MAX);
        assertThat(Durations.plus(Instant.EPOCH, ChronoUnit.FOREVER.getDuration().negated())).isEqualTo(Instant.MIN);
        assertThat(Durations.plus(Instant.EPOCH, Duration.ofDays(1))).isEqualTo(Instant.parse("1970-01-02T00:00:00Z"));
    }

    @Test
    void aDeadlineStaysComparableWhereverTheClockStands() {
        for (long now : new long[] {Long.MAX_VALUE - 5, Long.MIN_VALUE, -1, 0, Long.MAX_VALUE / 2}) {
            long deadline = Durations.deadlineNanos(now, ChronoUnit.FOREVER.getDuration());
            assertThat(deadline - now).as("from %d", now).isEqualTo(Durations.MAX.toNanos());
            assertThat(deadline - (now + 1)).as("still ahead a nanosecond later").isPositive();
            assertThat(Durations.deadlineNanos(now, Duration.ofSeconds(1)) - now).isEqualTo(1_000_000_000L);
            assertThat(Durations.deadlineNanos(now, Duration.ofSeconds(-1))).isEqualTo(now);
        }
    }
}
