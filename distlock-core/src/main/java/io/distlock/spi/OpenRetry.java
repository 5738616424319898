package io.distlock.spi;

import io.distlock.LockBackendException;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one rule for reaching a backend at start-up, for every caller that opens one with a wait to
 * spend (the command line's {@code --wait}, the Spring starter's {@code distlock.wait}): while
 * opening fails in a way another try may cure ({@link ConnectionUnavailableException#isTransient}),
 * try again, backing off from 100 ms to 2 s, until the wait is over; any other failure, or one at
 * the end of the wait, is thrown at once. A loaded host's JVM start and client set-up, or a server
 * that is restarting, must not end a wait of minutes at the first failed connect, and a caller that
 * may not wait gets its answer at once.
 */
public final class OpenRetry {
    private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(100).toNanos();
    private static final long LONGEST_PAUSE_NANOS = Duration.ofSeconds(2).toNanos();

    private OpenRetry() {
    }

    /**
     * Opens with {@code open} within {@code wait}, counted from {@code startNanos} ({@link System#nanoTime()}).
     *
     * @param wait         zero: one try; negative: no limit
     * @param onFirstRetry told of the first failure that will be tried again (to say so once)
     * @param stillWanted  asked before each further try; false ends the retrying with the last failure
     * @throws LockBackendException the last failure, when no further try is made
     */
    public static <T> T within(Duration wait, long startNanos, Supplier<T> open,
                               Consumer<LockBackendException> onFirstRetry, BooleanSupplier stillWanted) {
        long pauseNanos = FIRST_PAUSE_NANOS;
        boolean retried = false;
        while (true) {
            try {
                return open.get();
            } catch (LockBackendException failure) {
                long left = wait.isNegative() ? Long.MAX_VALUE
                        : Durations.saturatedNanos(wait) - (System.nanoTime() - startNanos);
                if (wait.isZero() || left <= pauseNanos || !ConnectionUnavailableException.isTransient(failure)
                        || !stillWanted.getAsBoolean()) {
                    throw failure;
                }
                if (!retried) {
                    onFirstRetry.accept(failure);
                    retried = true;
                }
                // A back-off between connection attempts, not a wait for another thread.
                LockSupport.parkNanos(pauseNanos);
                pauseNanos = Math.min(pauseNanos * 2, LONGEST_PAUSE_NANOS);
            }
        }
    }
}
