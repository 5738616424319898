package io.distlock.benchmarks.harness;

import java.time.Duration;

/** Each slice: a warm-up that is not counted, then the measured window. */
public record Windows(Duration warmup, Duration measured) {

    /** 1 s of warm-up, then {@code seconds}. */
    public static Windows of(int seconds) {
        return new Windows(Duration.ofSeconds(1), Duration.ofSeconds(seconds));
    }
}
