package io.distlock.spring;

import io.distlock.LockManager;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The health check both Boot lines' indicators run: an {@code inspect} of a probe name on a thread
 * of its own, so a backend that hangs makes the check DOWN within the timeout, not stuck.
 */
final class HealthProbe {
    static final String PROBE = "distlock.health-probe";

    /** The probe's answer: up, or down with the failure or a reason. */
    record Outcome(boolean up, @Nullable Throwable failure, @Nullable String reason) {
        /** Tells a Boot line's health builder, whose types differ between the lines. */
        void report(Runnable up, java.util.function.Consumer<Throwable> downWithFailure,
                    java.util.function.Consumer<String> downWithReason) {
            if (this.up) {
                up.run();
            } else if (failure != null) {
                downWithFailure.accept(failure);
            } else {
                downWithReason.accept(reason);
            }
        }
    }

    private HealthProbe() {
    }

    static Outcome run(LockManager locks, Duration timeout) throws InterruptedException {
        CompletableFuture<?> probe = CompletableFuture.runAsync(() -> locks.inspect(PROBE), runnable -> {
            Thread thread = new Thread(runnable, "distlock-health");
            thread.setDaemon(true);
            thread.start();
        });
        try {
            probe.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return new Outcome(true, null, null);
        } catch (TimeoutException e) {
            probe.cancel(true);
            return new Outcome(false, null, "no answer within " + timeout);
        } catch (ExecutionException e) {
            return new Outcome(false, e.getCause(), null);
        }
    }
}
