package io.distlock.spring;

import io.distlock.LockManager;
import java.time.Duration;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The {@code distlock} health indicator on Spring Boot 3.x: UP when the backend answers an
 * {@code inspect} of a probe name within the timeout, DOWN with the error otherwise; the details
 * name the backend ({@link LockManager#describe()}, secrets masked). On Boot 4.x the same check is
 * {@link DistlockBoot4HealthIndicator}.
 */
public final class DistlockHealthIndicator extends AbstractHealthIndicator {
    private final LockManager locks;
    private final Duration timeout;

    /**
     * @param locks   the manager whose backend is probed
     * @param timeout how long the probe may take before the check is DOWN
     */
    public DistlockHealthIndicator(LockManager locks, Duration timeout) {
        super("distlock health check failed");
        this.locks = locks;
        this.timeout = timeout;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        builder.withDetail("backend", locks.describe());
        HealthProbe.run(locks, timeout).report(builder::up, builder::down,
                reason -> builder.down().withDetail("error", reason));
    }
}
