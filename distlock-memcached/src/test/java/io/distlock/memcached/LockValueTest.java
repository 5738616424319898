package io.distlock.memcached;

import io.distlock.spi.HolderRecord;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The value under a lock key, pinned: locks written by an older version must still read. */
class LockValueTest {
    private static final Instant AT = Instant.parse("2026-12-07T10:11:12.123Z");

    @Test
    void theEncodingIsFixed() {
        HolderRecord value = new HolderRecord("owner 1", "host+a", 4242, "thread é", AT, AT.plusSeconds(20));
        String text = "1 owner+1 host%2Ba 4242 thread+%C3%A9 1796638272123 1796638292123";
        assertThat(LockValue.encode(value)).isEqualTo(text);
        assertThat(LockValue.decode(text)).contains(value);
    }

    @Test
    void aValueOfAnotherProgramIsNotOurs() {
        assertThat(LockValue.decode(null)).isEmpty();
        assertThat(LockValue.decode("2 o h 1 t 1 2")).isEmpty();
        assertThat(LockValue.decode("1 o h x t 1 2")).isEmpty();
        assertThat(LockValue.decode("1 o h 1 t 1")).isEmpty();
        assertThat(LockValue.decode("1 o%zz h 1 t 1 2")).isEmpty();
        assertThat(LockValue.decode("1   1  1 2")).contains(new HolderRecord("", "", 1, "", Instant.ofEpochMilli(1),
                Instant.ofEpochMilli(2)));
    }
}
