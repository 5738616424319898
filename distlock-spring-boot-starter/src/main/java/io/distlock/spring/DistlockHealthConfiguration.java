package io.distlock.spring;

import io.distlock.LockManager;
import io.distlock.spi.Durations;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code distlock} health indicator on Spring Boot 3.x, where health lives in
 * spring-boot-actuator. The classes are named as strings: on Boot 4 they are absent and this
 * configuration is skipped, and {@link DistlockBoot4HealthConfiguration} applies instead.
 */
@AutoConfiguration(after = DistlockAutoConfiguration.class)
@ConditionalOnClass(name = {"org.springframework.boot.actuate.health.HealthIndicator",
        "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator"})
@ConditionalOnBean(LockManager.class)
public class DistlockHealthConfiguration {
    @Bean
    @ConditionalOnEnabledHealthIndicator("distlock")
    @ConditionalOnMissingBean(name = "distlockHealthIndicator")
    DistlockHealthIndicator distlockHealthIndicator(LockManager locks, DistlockProperties properties) {
        return new DistlockHealthIndicator(locks, ManagerFactory.property("distlock.health.timeout",
                properties.getHealth().getTimeout(), Durations::parsePositive));
    }
}
