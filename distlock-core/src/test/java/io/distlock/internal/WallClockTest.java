package io.distlock.internal;

import io.distlock.Ticker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class WallClockTest {
    @Test
    void derivedWallTimeLiesBetweenWallReadingsTakenAroundTheMonotonicOne() {
        WallClock clock = new WallClock(Ticker.system());
        for (int i = 0; i < 1000; i++) {
            Instant before = Instant.now();
            long reading = System.nanoTime();
            Instant after = Instant.now();
            // Never before a wall time read earlier; late only by the anchor's read gap (microseconds,
            // unless every try of the pair was preempted: hence the generous upper bound).
            assertThat(clock.at(reading)).isBetween(before, after.plusMillis(100));
        }
    }

    @Test
    void aReadingOlderThanTheAnchorMapsToTheEarlierWallTime() {
        WallClock clock = new WallClock(Ticker.system());
        long earlier = System.nanoTime();
        Instant now = clock.at(System.nanoTime());
        assertThat(clock.at(earlier)).isBeforeOrEqualTo(now);
    }

    @Test
    void anyOtherTickerGetsTheRealWallClockNotOneDerivedFromItsReadings() {
        AtomicLong manual = new AtomicLong();
        WallClock clock = new WallClock(manual::get);
        Instant before = Instant.now();
        Instant first = clock.at(manual.get());
        manual.addAndGet(Duration.ofHours(1).toNanos());
        Instant second = clock.at(manual.get());
        assertThat(first).isAfterOrEqualTo(before);
        assertThat(second).isBefore(before.plusSeconds(60));
    }
}
