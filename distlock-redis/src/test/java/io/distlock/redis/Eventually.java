package io.distlock.redis;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Polling with a deadline: the only way these tests wait for something without a signal. */
final class Eventually {
    private Eventually() {
    }

    static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }
}
