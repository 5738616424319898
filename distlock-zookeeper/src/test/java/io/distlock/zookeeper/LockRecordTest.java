package io.distlock.zookeeper;

import io.distlock.spi.AcquireRequest;
import io.distlock.spi.HolderRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lock node's data, pinned byte for byte: nodes written by an older version must still be read
 * (inspect, list, a takeover's lease), and an older version must read ours.
 */
class LockRecordTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final LockRecord PLAIN = new LockRecord(new HolderRecord("owner-1", "host-a", 4242, "main",
            Instant.ofEpochSecond(1_700_000_000L, 123_456_789), Instant.ofEpochMilli(1_700_000_020_000L)), 20_000);
    private static final String PLAIN_BYTES = "01" + "00076f776e65722d31" + "0000000000004e20" + "0000018bcfe5b620"
            + "000000006553f100" + "075bcd15" + "0000000000001092" + "0006686f73742d61" + "00046d61696e";

    @Test
    void theFormatIsPinned() {
        assertThat(HEX.formatHex(PLAIN.encode())).isEqualTo(PLAIN_BYTES);
        assertThat(LockRecord.decode(HEX.parseHex(PLAIN_BYTES))).contains(PLAIN);
    }

    @Test
    void oddValuesRoundTripInModifiedUtf8() {
        LockRecord odd = new LockRecord(new HolderRecord("o", "\u0000", -1, "\ud800", Instant.ofEpochSecond(-1, 999_999_999),
                Instant.ofEpochMilli(-1)), 1);
        String bytes = "01" + "00016f" + "0000000000000001" + "ffffffffffffffff" + "ffffffffffffffff" + "3b9ac9ff"
                + "ffffffffffffffff" + "0002c080" + "0003eda080";
        assertThat(HEX.formatHex(odd.encode())).isEqualTo(bytes);
        assertThat(LockRecord.decode(HEX.parseHex(bytes))).contains(odd);
    }

    @Test
    void aMissingHostIsWrittenEmptyAndALongThreadNameClipped() {
        LockRecord record = new LockRecord(new HolderRecord("o", null, 7, "t".repeat(600), Instant.EPOCH,
                Instant.ofEpochMilli(6)), 5);
        LockRecord read = LockRecord.decode(record.encode()).orElseThrow();
        assertThat(read.holder().host()).isEmpty();
        assertThat(read.holder().thread()).isEqualTo("t".repeat(512));
    }

    @Test
    void aLeaseEndsInWholeMillisecondsAfterTheRequestOrTheExtend() {
        Instant asked = Instant.ofEpochSecond(10, 999_999);
        LockRecord record = LockRecord.of(new AcquireRequest("n", "o", Duration.ofMillis(1500), "h", 9, "t", asked), 1500);
        assertThat(record).isEqualTo(new LockRecord(new HolderRecord("o", "h", 9, "t", asked, Instant.ofEpochMilli(11_500)),
                1500));
        assertThat(record.extended(2000, 50_000)).isEqualTo(new LockRecord(
                new HolderRecord("o", "h", 9, "t", asked, Instant.ofEpochMilli(52_000)), 2000));
    }

    @Test
    void dataThisBackendDidNotWriteIsNoRecord() {
        assertThat(LockRecord.decode(null)).isEmpty();
        assertThat(LockRecord.decode(new byte[0])).isEmpty();
        assertThat(LockRecord.decode(HEX.parseHex("02" + PLAIN_BYTES.substring(2)))).isEmpty();
        assertThat(LockRecord.decode(HEX.parseHex(PLAIN_BYTES.substring(0, PLAIN_BYTES.length() - 2)))).isEmpty();
        assertThat(LockRecord.decode("owner-1".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEmpty();
    }
}
