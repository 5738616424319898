package io.distlock.redis;

import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The holder field's wire format, pinned: locks written by an older version must still read. */
class HolderCodecTest {
    private static final Instant AT = Instant.parse("2026-12-07T10:11:12.123456789Z");

    @Test
    void theHolderFieldIsFixed() {
        AcquireRequest request = new AcquireRequest("job", "owner-1", Duration.ofSeconds(20), "host a", 4242,
                "worker thread 1", AT);
        assertThat(HolderCodec.encode(request)).isEqualTo("1796638272123456789 4242 host a worker thread 1");
    }

    @Test
    void aReplyReadsBackAsTheHolder() {
        Instant before = Instant.now();
        LockInfo info = HolderCodec.decode("job", List.of("owner-1", 7L, "1796638272123456789 4242 host worker 1", 5000L))
                .orElseThrow();
        assertThat(info.name()).isEqualTo("job");
        assertThat(info.ownerId()).isEqualTo("owner-1");
        assertThat(info.token()).isEqualTo(7);
        assertThat(info.acquiredAt()).isEqualTo(AT);
        assertThat(info.pid()).isEqualTo(4242);
        assertThat(info.host()).isEqualTo("host");
        assertThat(info.thread()).isEqualTo("worker 1");
        assertThat(info.expiresAt()).isBetween(before.plusMillis(5000), Instant.now().plusMillis(5000));
    }

    @Test
    void unreadablePartsBecomeUnknowns() {
        LockInfo info = HolderCodec.decode("job", Arrays.asList("owner-1", "x", "later", -1L)).orElseThrow();
        assertThat(info.token()).isZero();
        assertThat(info.acquiredAt()).isNull();
        assertThat(info.pid()).isEqualTo(-1);
        assertThat(info.host()).isNull();
        assertThat(info.thread()).isNull();
        assertThat(info.expiresAt()).isNull();
        assertThat(HolderCodec.decode("job", Arrays.asList("owner-1", 1L, "1 2 h t", -2L))).as("PTTL: gone").isEmpty();
        assertThat(HolderCodec.decode("job", Arrays.asList(null, 1L, "1 2 h t", 5L))).as("free").isEmpty();
        assertThat(HolderCodec.decode("job", List.of("o"))).isEmpty();
    }
}
