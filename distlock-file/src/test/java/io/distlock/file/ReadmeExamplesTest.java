package io.distlock.file;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
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
 * opens a {@code file:} URI and is run beside the file backend, in distlock-file.)
 */
class ReadmeExamplesTest {
    private final List<String> done = new ArrayList<>();

    private void abort() {
        done.add("abort");
    }

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

    interface Accounts {
        @Locked("account:{0}") void post(String accountNo, long cents);
        @Locked("account:{accountNo}:close") void close(String accountNo);
        @Locked(value = "batch", reentrant = true) void batch();
        @Locked(value = "rebuild", conflict = true) void rebuild();
        @Locked(lease = "1m30s", timeout = "forever", autoRenew = true) void nightly();
        @Locked void audit(String day);
    }

    final class AccountService implements Accounts {
        final List<String> calls = new ArrayList<>();
        LockManager locks;

        private void record(String what) {
            calls.add(what + " " + locks.list("").stream().map(LockInfo::name).toList());
        }

        @Override public void post(String accountNo, long cents) { record("post"); }
        @Override public void close(String accountNo) { record("close"); }
        @Override public void batch() { record("batch"); }
        @Override public void rebuild() { record("rebuild"); }
        @Override public void nightly() { record("nightly"); }
        @Override public void audit(String day) { record("audit"); }
    }

    @Test
    void coreReadmeNamelessConflictAndLocked() {
        LockManager locks = LockManager.builder(InMemoryLockBackend.create()).build();
        Lock mine = locks.acquire(LockOptions.tryOnce());
        assertThat(mine.name()).isEqualTo(ReadmeExamplesTest.class.getName());
        mine.release();
        Lock longer = locks.acquire(LockOptions.builder().lease(Duration.ofSeconds(180)).build());
        longer.release();
        boolean ran = locks.tryRun("nightly-report", this::work);
        assertThat(ran).isTrue();

        AccountService service = new AccountService();
        service.locks = locks;
        Accounts accounts = locks.proxy(Accounts.class, service);
        accounts.post("42", 100);
        accounts.close("42");
        accounts.batch();
        accounts.rebuild();
        accounts.nightly();
        accounts.audit("2026-11-29");
        String base = AccountService.class.getName();
        assertThat(service.calls).containsExactly("post [account:42]", "close [account:42:close]", "batch [batch]",
                "rebuild [rebuild]", "nightly [" + base + ".nightly]", "audit [" + base + ".audit]");
        try (Lock busy = locks.acquire("rebuild")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(accounts::rebuild)
                    .isInstanceOf(io.distlock.LockConflictException.class);
        }
        locks.close();
    }

    @Test
    void coreReadmeSuspendedAndRestored() {
        List<String> log = new ArrayList<>();
        InMemoryLockBackend backend = InMemoryLockBackend.create();
        LockOptions guarded = LockOptions.builder().autoRenew(true)
                .onLost((lock, why) -> abort())
                .build();
        LockManager observed = LockManager.builder(backend).listener(new io.distlock.LockListener() {
            @Override public void suspended(String name, long token, Throwable cause) { log.add(name + " suspended"); }
            @Override public void restored(String name, long token) { log.add(name + " held again"); }
        }).build();
        try (Lock lock = observed.acquire("job", guarded)) {
            assertThat(lock.isHeld()).isTrue();
        }
        assertThat(log).isEmpty();
        assertThat(done).doesNotContain("abort");
        observed.close();
    }
}
