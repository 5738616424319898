package io.distlock.spring;

import io.distlock.LockManager;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * UP when the backend answers an {@code inspect} of a probe name within the timeout, DOWN with the
 * error otherwise; the details name the backend ({@link LockManager#describe()}, secrets masked).
 * The probe runs on its own thread, so a backend that hangs makes the check DOWN, not stuck.
 */
public final class DistlockHealthIndicator extends AbstractHealthIndicator {
    static final String PROBE = "distlock.health-probe";

    private final LockManager locks;
    private final Duration timeout;

    public DistlockHealthIndicator(LockManager locks, Duration timeout) {
        super("distlock health check failed");
        this.locks = locks;
        this.timeout = timeout;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        builder.withDetail("backend", locks.describe());
        CompletableFuture<?> probe = CompletableFuture.runAsync(() -> locks.inspect(PROBE), runnable -> {
            Thread thread = new Thread(runnable, "distlock-health");
            thread.setDaemon(true);
            thread.start();
        });
        try {
            probe.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            builder.up();
        } catch (TimeoutException e) {
            probe.cancel(true);
            builder.down().withDetail("error", "no answer within " + timeout);
        } catch (ExecutionException e) {
            builder.down(e.getCause());
        }
    }
}
