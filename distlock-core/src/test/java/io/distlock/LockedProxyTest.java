package io.distlock;

import io.distlock.memory.InMemoryLockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LockedProxyTest {
    private final LockManager locks = LockManager.builder(InMemoryLockBackend.create()).build();

    @AfterEach
    void close() {
        locks.close();
    }

    interface Billing {
        @Locked
        Optional<LockInfo> closeDay(String day);

        @Locked(value = "billing-run", lease = "PT45S")
        Optional<LockInfo> run();

        Optional<LockInfo> unlocked();

        @Locked(timeout = "PT0S")
        void fail();
    }

    final class BillingService implements Billing {
        @Override
        public Optional<LockInfo> closeDay(String day) {
            return locks.inspect(BillingService.class.getName() + ".closeDay");
        }

        @Override
        public Optional<LockInfo> run() {
            return locks.inspect("billing-run");
        }

        @Override
        public Optional<LockInfo> unlocked() {
            return locks.list("").stream().findFirst();
        }

        @Override
        public void fail() {
            throw new IllegalStateException("from the method");
        }
    }

    @Test
    void annotatedMethodWithoutANameLocksClassNameDotMethodName() {
        Billing billing = locks.proxy(Billing.class, new BillingService());
        assertThat(billing.closeDay("2026-11-22")).isPresent();
        assertThat(locks.inspect(BillingService.class.getName() + ".closeDay")).isEmpty();
    }

    @Test
    void namedAnnotationUsesItsNameAndLease() {
        Billing billing = locks.proxy(Billing.class, new BillingService());
        LockInfo info = billing.run().orElseThrow();
        assertThat(Duration.between(info.acquiredAt(), info.expiresAt())).isBetween(Duration.ofSeconds(44),
                Duration.ofSeconds(46));
    }

    @Test
    void unannotatedMethodsPassThroughAndExceptionsKeepTheirType() {
        Billing billing = locks.proxy(Billing.class, new BillingService());
        assertThat(billing.unlocked()).isEmpty();
        assertThatThrownBy(billing::fail).isExactlyInstanceOf(IllegalStateException.class).hasMessage("from the method");
        assertThat(locks.list("")).isEmpty();
    }

    @Test
    void busyLockTimesOutPerTheAnnotation() {
        Billing billing = locks.proxy(Billing.class, new BillingService());
        Lock held = locks.acquire(BillingService.class.getName() + ".fail");
        assertThatThrownBy(billing::fail).isInstanceOf(LockTimeoutException.class);
        held.release();
    }

    interface Broken {
        @Locked(lease = "30 seconds")
        void work();
    }

    @Test
    void badAnnotationFailsWhenTheProxyIsMadeNamingTheValue() {
        assertThatThrownBy(() -> locks.proxy(Broken.class, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("30 seconds");
        assertThatThrownBy(() -> locks.proxy(BillingService.class, new BillingService()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("interface");
    }
}
