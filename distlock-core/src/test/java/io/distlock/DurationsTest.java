package io.distlock;

import org.junit.jupiter.api.Test;

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
}
