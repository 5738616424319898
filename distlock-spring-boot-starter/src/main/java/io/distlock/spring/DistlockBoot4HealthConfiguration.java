package io.distlock.spring;

import io.distlock.LockManager;
import io.distlock.spi.Durations;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code distlock} health indicator on Spring Boot 4.x, where health has its own module,
 * spring-boot-health. The classes are named as strings: on Boot 3 they are absent (and Boot 3's
 * health types present) and this configuration is skipped, and {@link DistlockHealthConfiguration}
 * applies instead.
 */
@AutoConfiguration(after = DistlockAutoConfiguration.class)
@ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
        "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator"})
@ConditionalOnMissingClass("org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(LockManager.class)
public class DistlockBoot4HealthConfiguration {
    @Bean
    @ConditionalOnEnabledHealthIndicator("distlock")
    @ConditionalOnMissingBean(name = "distlockHealthIndicator")
    DistlockBoot4HealthIndicator distlockHealthIndicator(LockManager locks, DistlockProperties properties) {
        return new DistlockBoot4HealthIndicator(locks, ManagerFactory.property("distlock.health.timeout",
                properties.getHealth().getTimeout(), Durations::parsePositive));
    }
}
