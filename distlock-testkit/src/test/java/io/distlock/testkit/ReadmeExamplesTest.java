package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.Locked;
import io.distlock.memory.InMemoryLockBackend;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The library examples of distlock-core/README.md, compiled and run in order, so the documentation
 * cannot drift from the code. Keep them in step with the README. (The root README's quick start
 * opens {@code file:}, so its test lives with the file backend: RootReadmeQuickStartTest.)
 */
class ReadmeExamplesTest {
    private final List<String> done = new ArrayList<>();

    private void work() {
        done.add("work");
    }

    record Order(String id) {
    }

    record Receipt(String orderId) {
    }

    interface Billing {
        @Locked
        void closeDay(String day);

        @Locked(value = "billing", lease = "PT1M")
        void run();
    }

    static final class BillingService implements Billing {
        final List<String> calls = new ArrayList<>();

        @Override
        public void closeDay(String day) {
            calls.add("closeDay " + day);
        }

        @Override
        public void run() {
            calls.add("run");
        }
    }

    private Receipt ship(Order order) {
        return new Receipt(order.id());
    }

    @Test
    void coreReadmeUse() {
        LockManager locks = LockManager.builder(InMemoryLockBackend.create())
                .defaultLease(Duration.ofSeconds(20))
                .defaultTimeout(Duration.ofSeconds(10))
                .defaultRetryInterval(Duration.ofMillis(50))
                .build();
        String accountNo = "42";
        String id = "7";

        try (Lock lock = locks.acquire("account:" + accountNo)) {
            assertThat(lock.token()).isPositive();
        }
        Optional<Lock> maybe = locks.tryAcquire("nightly-report");
        assertThat(maybe).isPresent();
        maybe.get().release();
        locks.run("nightly-report", this::work);
        String invoice = locks.call("customer:" + id, () -> "invoice for " + id);
        Function<Order, Receipt> ship = locks.locked(o -> "order:" + o.id(), this::ship);
        assertThat(ship.apply(new Order("o-1"))).isEqualTo(new Receipt("o-1"));
        try (Lock self = locks.acquire()) {
            assertThat(self.name()).isEqualTo(ReadmeExamplesTest.class.getName());
        }
        BillingService service = new BillingService();
        Billing billing = locks.proxy(Billing.class, service);
        billing.closeDay("2026-11-22");
        billing.run();

        assertThat(invoice).isEqualTo("invoice for 7");
        assertThat(service.calls).containsExactly("closeDay 2026-11-22", "run");
        assertThat(locks.list("")).extracting(LockInfo::name).isEmpty();
        locks.close();
    }
}
