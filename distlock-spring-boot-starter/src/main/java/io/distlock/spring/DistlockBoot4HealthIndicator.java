package io.distlock.spring;

import io.distlock.LockManager;
import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code distlock} health indicator on Spring Boot 4.x, where health has its own module
 * (spring-boot-health): the same check as {@link DistlockHealthIndicator}, Boot 3's.
 */
public final class DistlockBoot4HealthIndicator extends AbstractHealthIndicator {
    private final LockManager locks;
    private final Duration timeout;

    /**
     * @param locks   the manager whose backend is probed
     * @param timeout how long the probe may take before the check is DOWN
     */
    public DistlockBoot4HealthIndicator(LockManager locks, Duration timeout) {
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
