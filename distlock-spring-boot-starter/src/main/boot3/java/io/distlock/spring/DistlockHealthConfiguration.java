package io.distlock.spring;

import io.distlock.LockManager;
import io.distlock.spi.Durations;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The health indicator on Spring Boot 3.x, where health lives in spring-boot-actuator. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
class DistlockHealthConfiguration {
    @Bean
    @ConditionalOnEnabledHealthIndicator("distlock")
    @ConditionalOnMissingBean(name = "distlockHealthIndicator")
    DistlockHealthIndicator distlockHealthIndicator(LockManager locks, DistlockProperties properties) {
        return new DistlockHealthIndicator(locks, ManagerFactory.property("distlock.health.timeout",
                properties.getHealth().getTimeout(), Durations::parsePositive));
    }
}
