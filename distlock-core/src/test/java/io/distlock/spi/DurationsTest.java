package io.distlock.spi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

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
    void formatsShortAndReadable() {
        assertThat(Durations.format(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(Durations.format(Duration.ofSeconds(12))).isEqualTo("12s");
        assertThat(Durations.format(Duration.ofSeconds(185))).isEqualTo("3m05s");
        assertThat(Durations.format(Duration.ofMinutes(62))).isEqualTo("1h02m");
        assertThat(Durations.format(Duration.ofHours(51))).isEqualTo("2d03h");
        assertThat(Durations.format(Durations.FOREVER)).isEqualTo("forever");
    }
}
