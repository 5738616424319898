package io.distlock.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.support.AbstractPlatformTransactionManager;
import org.springframework.transaction.support.DefaultTransactionStatus;

/**
 * Where the lock's advice stands: outermost by default, {@code distlock.aop.order} moves it, and an
 * application whose transactions are ordered outside it is told at start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
class AdviceOrderTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner application(Class<?> configuration, String... properties) {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DistlockAutoConfiguration.class))
                .withUserConfiguration(configuration)
                .withPropertyValues("distlock.uri=file:" + dir)
                .withPropertyValues(properties);
    }

    @Test
    void theLockIsOutermostByDefaultAndTheOrderIsSettable() {
        application(Transactions.class).run(context -> assertThat(context.getBean(LockedAdvisor.class).getOrder())
                .isEqualTo(Ordered.HIGHEST_PRECEDENCE));
        application(Transactions.class, "distlock.aop.order=100").run(context -> {
            assertThat(context.getBean(LockedAdvisor.class).getOrder()).isEqualTo(100);
            assertThat(context.getBean(DistlockProperties.class).getAop().getOrder()).isEqualTo(100);
        });
    }

    @Test
    void noWarningWhenTransactionsRunInsideTheLock(CapturedOutput output) {
        application(Transactions.class).run(context -> assertThat(context).hasNotFailed());
        assertThat(output.getAll()).doesNotContain("runs outside distlock's lock advice");
    }

    @Test
    void transactionsOrderedOutsideTheLockAreNamedAtStartUp(CapturedOutput output) {
        application(Transactions.class, "distlock.aop.order=10").run(context -> assertThat(context).hasNotFailed());
        assertThat(output.getAll()).contains("runs outside distlock's lock advice (distlock.aop.order=10)")
                .contains("Set distlock.aop.order below 0");
    }

    @Configuration(proxyBeanMethods = false)
    @EnableTransactionManagement(order = 0)
    static class Transactions {
        @Bean
        PlatformTransactionManager transactionManager() {
            return new AbstractPlatformTransactionManager() {
                @Override
                protected Object doGetTransaction() {
                    return new Object();
                }

                @Override
                protected void doBegin(Object transaction, org.springframework.transaction.TransactionDefinition definition) {
                }

                @Override
                protected void doCommit(DefaultTransactionStatus status) {
                }

                @Override
                protected void doRollback(DefaultTransactionStatus status) {
                }
            };
        }
    }
}
