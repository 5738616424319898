package io.distlock.internal;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Polling with a deadline, for the engine's tests: the test kit's {@code Eventually}, which core's
 * own tests cannot use (the kit depends on core).
 */
final class Polling {
    static final Duration PATIENCE = Duration.ofSeconds(10);

    private Polling() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} if it did not within {@link #PATIENCE}. */
    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("not within " + PATIENCE + ": " + what).isNegative();
            LockSupport.parkNanos(1_000_000L);
        }
    }
}
