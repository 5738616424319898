package io.distlock.spring;

import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

import io.distlock.LockListener;
import io.distlock.LockManager;
import io.distlock.micrometer.DistlockMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.aop.config.AopConfigUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

import javax.sql.DataSource;

/**
 * distlock for Spring Boot: a {@link LockManager} from {@code distlock.*} (unless the application
 * defines its own), {@code @Locked}/{@link DistributedLock} on any bean's methods, and, when their
 * libraries are present, Micrometer metrics, a health indicator and the {@code distlocks} endpoint.
 */
@AutoConfiguration(afterName = {
        // Boot 3.x and 4.x names of the configurations that make the MeterRegistry the metrics need.
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
@EnableConfigurationProperties(DistlockProperties.class)
@Import(DistlockAutoConfiguration.ProxyCreatorRegistrar.class)
public class DistlockAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    @DependsOnDatabaseInitialization
    LockManager distlockLockManager(DistlockProperties properties, ObjectProvider<LockListener> listeners,
                                    ObjectProvider<BackendOpener> openers) {
        return ManagerFactory.create(properties, listeners.orderedStream().toList(), openers.orderedStream().toList());
    }

    /**
     * The SQL backend through its builder, when distlock-jdbc is present: {@code distlock.uri=jdbc:}
     * on the application's DataSource, a whole JDBC URL on a pool of its own. The manager is made
     * after the DataSource (it asks for it while being made), so the context closes it, releasing its
     * locks, before it closes the pool; and after the database's initializers (Flyway, Liquibase,
     * spring.sql.init), which may create the lock table ({@code distlock.jdbc.create-table=false}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.distlock.jdbc.JdbcLockBackend")
    static class Jdbc {
        @Bean
        BackendOpener distlockJdbcBackendOpener(ObjectProvider<DataSource> dataSources) {
            return new JdbcBackendOpener(dataSources::getIfUnique);
        }
    }

    /** Static and infrastructure: the proxy creator looks for advisors before ordinary beans exist. */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static LockedAdvisor distlockLockedAdvisor(ObjectProvider<LockManager> locks, Environment environment,
                                               BeanFactory beans) {
        LockedAdvisor.Plans plans = new LockedAdvisor.Plans((method, type) -> LockPlan.of(method, type, environment, beans));
        LockedAdvisor advisor = new LockedAdvisor(plans, new LockedInterceptor(locks, plans));
        // Read from the Environment, not bound: binding DistlockProperties here would make it before
        // the post-processors that ordinary beans get.
        advisor.setOrder(environment.getProperty(DistlockProperties.Aop.ORDER_PROPERTY, Integer.class,
                DistlockProperties.Aop.DEFAULT_ORDER));
        return advisor;
    }

    /** Says at start-up when a transaction's advice would run outside the lock's (see {@link AdviceOrderCheck}). */
    @Bean
    @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
    static AdviceOrderCheck distlockAdviceOrderCheck(ListableBeanFactory beans) {
        return new AdviceOrderCheck(beans);
    }

    /**
     * A transaction advisor ordered before (outside) the lock's would commit after the lock is
     * released, so the next holder could read what is not committed yet: lost updates, silently.
     * Only an application that orders its transactions explicitly can get there, and it is told.
     */
    static final class AdviceOrderCheck implements SmartInitializingSingleton {
        private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AdviceOrderCheck.class);
        private static final String TRANSACTION_ADVICE = "org.springframework.transaction.interceptor.TransactionInterceptor";
        private final ListableBeanFactory beans;

        AdviceOrderCheck(ListableBeanFactory beans) {
            this.beans = beans;
        }

        @Override
        public void afterSingletonsInstantiated() {
            Map<String, LockedAdvisor> locks = beans.getBeansOfType(LockedAdvisor.class, false, false);
            if (locks.isEmpty()) {
                return;
            }
            int lockOrder = locks.values().iterator().next().getOrder();
            beans.getBeansOfType(org.springframework.aop.Advisor.class, false, false).forEach((name, advisor) -> {
                if (advisor instanceof org.springframework.core.Ordered ordered && ordered.getOrder() <= lockOrder
                        && advisor.getAdvice().getClass().getName().equals(TRANSACTION_ADVICE)) {
                    LOG.warn("The transaction advisor '{}' (order {}) runs outside distlock's lock advice ({}={}): a "
                            + "method with both @Transactional and a lock annotation releases the lock before its "
                            + "transaction commits, and the next holder can read uncommitted data. Set {} below {}.",
                            name, ordered.getOrder(), DistlockProperties.Aop.ORDER_PROPERTY, lockOrder,
                            DistlockProperties.Aop.ORDER_PROPERTY, ordered.getOrder());
                }
            });
        }
    }

    /**
     * An auto-proxy creator if the application has none (Spring Boot's own AOP configuration makes
     * one; a plain context may not), with class proxies unless {@code spring.aop.proxy-target-class=false}.
     */
    static final class ProxyCreatorRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {
        // Spring calls setEnvironment (EnvironmentAware) before registerBeanDefinitions.
        @SuppressWarnings("NullAway.Init")
        private Environment environment;

        @Override
        public void setEnvironment(Environment environment) {
            this.environment = environment;
        }

        @Override
        public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
            AopConfigUtils.registerAutoProxyCreatorIfNecessary(registry);
            if (environment.getProperty("spring.aop.proxy-target-class", Boolean.class, true)) {
                AopConfigUtils.forceAutoProxyCreatorToUseClassProxying(registry);
            }
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterRegistry.class, DistlockMetrics.class})
    static class Metrics {
        @Bean
        @ConditionalOnBean(MeterRegistry.class)
        @ConditionalOnMissingBean
        DistlockMetrics distlockMetrics(MeterRegistry registry, DistlockProperties properties) {
            return DistlockMetrics.builder(registry).backend(ManagerFactory.scheme(properties.getUri())).build();
        }
    }

    /** The distlocks endpoint (its API is the same on Boot 3 and 4; health is not: {@link DistlockHealthConfiguration}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
    static class Actuator {
        @Bean
        @ConditionalOnAvailableEndpoint(endpoint = DistlocksEndpoint.class)
        @ConditionalOnMissingBean(DistlocksEndpoint.class)
        @ConditionalOnBooleanProperty(name = "distlock.endpoint.force-release-enabled", havingValue = false, matchIfMissing = true)
        DistlocksEndpoint distlocksEndpoint(LockManager locks) {
            return new DistlocksEndpoint(locks);
        }

        @Bean
        @ConditionalOnAvailableEndpoint(endpoint = DistlocksEndpoint.Writable.class)
        @ConditionalOnMissingBean(DistlocksEndpoint.class)
        @ConditionalOnBooleanProperty("distlock.endpoint.force-release-enabled")
        DistlocksEndpoint.Writable distlocksWritableEndpoint(LockManager locks) {
            return new DistlocksEndpoint.Writable(locks);
        }
    }
}
