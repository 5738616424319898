package io.distlock.spi;

import io.distlock.LockInfo;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HolderRecordTest {
    private static final Instant AT = Instant.parse("2026-12-07T10:11:12.123456789Z");

    @Test
    void aRequestBecomesARecordAndTheRecordAnAnswer() {
        AcquireRequest request = new AcquireRequest("job", "owner", Duration.ofSeconds(20), "host", 7, "main", AT);
        HolderRecord record = HolderRecord.of(request, AT.plusSeconds(20));
        assertThat(record).isEqualTo(new HolderRecord("owner", "host", 7, "main", AT, AT.plusSeconds(20)));
        assertThat(record.info("job", 3)).isEqualTo(new LockInfo("job", "owner", "host", 7, "main", AT,
                AT.plusSeconds(20), 3));
        assertThat(record.withExpiry(AT.plusSeconds(40)).expiresAt()).isEqualTo(AT.plusSeconds(40));
        assertThat(record.expiredAt(AT.plusSeconds(19))).isFalse();
        assertThat(record.expiredAt(AT.plusSeconds(20))).isTrue();
        assertThat(new HolderRecord("o", null, -1, null, null, null).expiredAt(AT)).as("unknown end").isFalse();
        assertThatThrownBy(() -> new HolderRecord(null, "h", 1, "t", AT, AT))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("owner id");
    }

    @Test
    void epochNanosRoundTripOnBothSidesOfTheEpoch() {
        assertThat(HolderRecord.epochNanos(AT)).isEqualTo(1_796_638_272_123_456_789L);
        for (Instant instant : new Instant[] {AT, Instant.EPOCH, Instant.ofEpochSecond(-1, 1), Instant.ofEpochSecond(0, 5)}) {
            assertThat(HolderRecord.ofEpochNanos(HolderRecord.epochNanos(instant))).isEqualTo(instant);
        }
    }

    @Test
    void numbersAreReadLeniently() {
        assertThat(HolderRecord.parseLong(5L, 0)).isEqualTo(5);
        assertThat(HolderRecord.parseLong("-12", 0)).isEqualTo(-12);
        assertThat(HolderRecord.parseLong("x", 9)).isEqualTo(9);
        assertThat(HolderRecord.parseLong(null, 9)).isEqualTo(9);
    }
}
