package io.distlock.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polling with a deadline: how the kit's and the backends' tests wait for a state that nothing
 * signals (a thread parked, a message seen, a key written), never a sleep of a guessed length.
 */
public final class Eventually {
    private static final long PAUSE_NANOS = 1_000_000L;

    private Eventually() {
    }

    /**
     * As {@link #until(String, Duration, BooleanSupplier)}, and the failure also says what
     * {@code state} reports at that moment (what the servers say, not what they said before the wait).
     */
    public static void until(String what, Duration within, BooleanSupplier condition, Supplier<String> state) {
        try {
            until(what, within, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + ": " + state.get(), e);
        }
    }

    /** Returns once {@code condition} holds; fails with {@code what} if it did not within {@code within}. */
    public static void until(String what, Duration within, BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + within + ": " + what);
            }
            LockSupport.parkNanos(PAUSE_NANOS);
        }
    }
}
