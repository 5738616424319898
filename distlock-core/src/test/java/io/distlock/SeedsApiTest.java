package io.distlock;

import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lock API the seeds' users rely on (Zato's {@code self.lock()}, unimr.memcachedlock's
 * {@code lock(get_key)}, {@code rlock}, {@code zlock}) and the defects a review found in it:
 * null options, endless waits, leases too short to hold, a double close.
 */
class SeedsApiTest {
    private final LockManager locks = LockManager.builder(InMemoryLockBackend.create()).build();
    private final List<LockManager> others = new ArrayList<>();

    @AfterEach
    void close() {
        locks.close();
        others.forEach(LockManager::close);
    }

    // ---------------------------------------------------------------- bad input (contract 6.2)

    @Test
    void nullOptionsAreIllegalArgumentsNamingTheParameter() {
        LockOptions.Builder options = LockOptions.builder();
        assertThatThrownBy(() -> options.timeout(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> options.onLost(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onLost");
        assertThatThrownBy(() -> options.onConflict(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onConflict");
        LockManager.Builder builder = LockManager.builder(InMemoryLockBackend.create());
        assertThatThrownBy(() -> builder.defaultTimeout(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTimeout");
        assertThatThrownBy(() -> builder.listener(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listener");
        assertThatThrownBy(() -> builder.ticker(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ticker");
    }

    @Test
    void aWaitLongerThanTheMaximumIsRefusedAndForeverIsAskedForAsSuch() {
        assertThatThrownBy(() -> LockOptions.builder().timeout(ChronoUnit.FOREVER.getDuration()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout").hasMessageContaining("365 days");
        assertThatThrownBy(() -> LockManager.builder(InMemoryLockBackend.create()).defaultTimeout(Duration.ofDays(366)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultTimeout")
                .hasMessageContaining("366d").hasMessageContaining("365 days");
        LockOptions endless = LockOptions.builder().waitForever().build();
        assertThat(endless.timeout().orElseThrow()).isNegative();
        assertThat(LockOptions.builder().timeout(Duration.ofDays(-400)).build().timeout().orElseThrow()).isNegative();
        try (Lock lock = locks.acquire("forever", endless)) {
            assertThat(lock.isHeld()).isTrue();
        }
        assertThat(LockOptions.builder().timeout(Duration.ofDays(365)).build().timeout()).contains(Duration.ofDays(365));
    }

    @Test
    void everyLeaseAndIntervalLongerThanTheMaximumIsRefusedNamingIt() {
        Duration tooLong = Duration.ofDays(200_000);
        LockManager.Builder builder = LockManager.builder(InMemoryLockBackend.create());
        assertThatThrownBy(() -> LockOptions.builder().lease(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lease").hasMessageContaining("200000d").hasMessageContaining("365 days");
        assertThatThrownBy(() -> LockOptions.builder().retryInterval(tooLong)).hasMessageContaining("retryInterval")
                .hasMessageContaining("365 days");
        assertThatThrownBy(() -> builder.defaultLease(tooLong)).hasMessageContaining("defaultLease").hasMessageContaining("365 days");
        assertThatThrownBy(() -> builder.defaultRetryInterval(tooLong)).hasMessageContaining("defaultRetryInterval");
        try (Lock lock = locks.acquire("year", LockOptions.builder().lease(Duration.ofDays(365)).build())) {
            assertThat(lock.isHeld()).isTrue();
            assertThat(lock.expiresAt()).as("a year less the drift allowance of 1 %%").isAfter(java.time.Instant.now().plus(Duration.ofDays(361)));
            assertThatThrownBy(() -> lock.extend(tooLong)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("365 days");
            lock.extend(Duration.ofDays(365));
            assertThat(lock.isHeld()).isTrue();
        }
    }

    @Test
    void aLeaseShorterThanTheDriftAllowanceIsRefusedNamingTheMinimum() {
        assertThatThrownBy(() -> LockOptions.builder().lease(Duration.ofMillis(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3 ms").hasMessageContaining("PT0.002S");
        assertThatThrownBy(() -> LockManager.builder(InMemoryLockBackend.create()).defaultLease(Duration.ofNanos(5)))
                .hasMessageContaining("defaultLease");
        try (Lock lock = locks.acquire("short", LockOptions.builder().lease(Duration.ofMillis(3)).build())) {
            assertThatThrownBy(() -> lock.extend(Duration.ofMillis(1))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void listOnABackendThatCannotEnumerateIsALockException() {
        LockManager manager = other(new ForwardingLockBackend(InMemoryLockBackend.create()) {
            @Override
            public ListPage list(String prefix, int limit) {
                throw new UnsupportedOperationException("no key enumeration here");
            }
        });
        assertThatThrownBy(() -> manager.list("")).isInstanceOf(LockException.class)
                .hasMessageContaining("no key enumeration here");
        assertThatThrownBy(() -> manager.list("", 10)).isInstanceOf(LockException.class)
                .hasMessageContaining("no key enumeration here");
    }

    @Test
    void twoConcurrentClosesCloseTheBackendOnce() throws Exception {
        for (int round = 0; round < 200; round++) {
            AtomicInteger backendCloses = new AtomicInteger();
            LockManager manager = LockManager.builder(new ForwardingLockBackend(InMemoryLockBackend.create()) {
                @Override
                public void close() {
                    backendCloses.incrementAndGet();
                    super.close();
                }
            }).build();
            manager.acquire("held");
            CyclicBarrier together = new CyclicBarrier(2);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> awaitThenClose(together, manager));
            awaitThenClose(together, manager);
            first.get(10, TimeUnit.SECONDS);
            assertThat(backendCloses).as("round %d", round).hasValue(1);
        }
    }

    // ---------------------------------------------------------------- conflict mode (zlock, contract 2.7)

    @Test
    void conflictModeThrowsADistinctExceptionNamingTheHolderAndListenersSeeIt() {
        List<String> heard = new ArrayList<>();
        LockManager manager = LockManager.builder(InMemoryLockBackend.create()).listener(new LockListener() {
            @Override
            public void conflicted(String name, Duration waited) {
                heard.add(name);
            }
        }).build();
        others.add(manager);
        Lock held = manager.acquire("order:7");

        assertThatThrownBy(() -> manager.acquire("order:7", LockOptions.builder().conflictMode().build()))
                .isInstanceOf(LockConflictException.class)
                .isNotInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("order:7")
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        assertThat(heard).containsExactly("order:7");
        assertThatThrownBy(() -> manager.acquire("order:7", LockOptions.tryOnce()))
                .as("a try-once that times out is not a conflict").isInstanceOf(LockTimeoutException.class);
        assertThatThrownBy(() -> LockOptions.builder().conflictMode().timeout(Duration.ofSeconds(1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT1S");
        held.release();
    }

    // ---------------------------------------------------------------- calls without a name (Zato's self.lock())

    @Test
    void callsWithoutANameLockTheCallingService() throws Exception {
        String service = SeedsApiTest.class.getName();
        try (Lock lock = locks.acquire(LockOptions.builder().lease(Duration.ofSeconds(180)).build())) {
            assertThat(lock.name()).isEqualTo(service);
            assertThat(locks.tryAcquire()).as("busy: tryAcquire() is empty").isEmpty();
            assertThatThrownBy(() -> locks.acquire(LockOptions.tryOnce())).isInstanceOf(LockTimeoutException.class);
            assertThat(locks.tryRun(() -> { })).as("tryRun skips a busy lock").isFalse();
        }
        List<String> seen = new ArrayList<>();
        locks.run(() -> seen.add(locks.inspect(service).orElseThrow().name()));
        assertThat(locks.tryRun(() -> seen.add("ran"))).isTrue();
        assertThat(locks.call(() -> locks.inspect(service).isPresent())).isTrue();
        assertThat(seen).containsExactly(service, "ran");
        assertThat(locks.list("")).isEmpty();
    }

    @Test
    void callPassesACheckedExceptionThroughAsItself() {
        assertThatThrownBy(() -> locks.call("file:report", () -> {
            throw new IOException("disk full");
        })).isExactlyInstanceOf(IOException.class).hasMessage("disk full");
        assertThat(locks.list("")).as("released after the exception").isEmpty();
        // A lambda that throws nothing checked needs no catch:
        int answer = locks.call("answer", () -> 42);
        assertThat(answer).isEqualTo(42);
    }

    // ---------------------------------------------------------------- the calling service's name (contract 2.3)

    @Test
    void theCallingServiceIsTheNamedClassThatWroteTheCode() {
        String here = SeedsApiTest.class.getName();
        Supplier<String> lambda = () -> locks.acquire(LockOptions.tryOnce()).name();
        assertThat(releaseAfter(lambda)).as("lambda").isEqualTo(here);
        assertThat(releaseAfter(this::nameFromAMethodReference)).as("method reference").isEqualTo(here);
        Supplier<String> anonymous = new Supplier<>() {
            @Override
            public String get() {
                return locks.acquire(LockOptions.tryOnce()).name();
            }
        };
        assertThat(releaseAfter(anonymous)).as("anonymous class").isEqualTo(here);
        Job inherited = new NightlyJob(locks);
        assertThat(releaseAfter(inherited::lockFromBase)).as("inherited method: the class that declares it")
                .isEqualTo(Job.class.getName());
        assertThat(releaseAfter(inherited::lockConcrete)).as("the concrete class, asked explicitly")
                .isEqualTo(NightlyJob.class.getName());
        assertThat(LockManager.callingServiceName()).isEqualTo(here);
    }

    private String nameFromAMethodReference() {
        return locks.acquire(LockOptions.tryOnce()).name();
    }

    private String releaseAfter(Supplier<String> acquireName) {
        String name = acquireName.get();
        assertThat(locks.forceRelease(name)).isTrue();
        return name;
    }

    static class Job {
        final LockManager locks;

        Job(LockManager locks) {
            this.locks = locks;
        }

        String lockFromBase() {
            return locks.acquire(LockOptions.tryOnce()).name();
        }

        String lockConcrete() {
            return locks.acquire(getClass().getName(), LockOptions.tryOnce()).name();
        }
    }

    static final class NightlyJob extends Job {
        NightlyJob(LockManager locks) {
            super(locks);
        }
    }

    // ---------------------------------------------------------------- @Locked: get_key, rlock, zlock

    public interface Accounts {
        @Locked("account:{0}")
        Optional<LockInfo> post(String accountNo, long cents);

        @Locked("account:{accountNo}:close")
        Optional<LockInfo> close(String accountNo);

        @Locked
        String audit(String accountNo);

        @Locked
        String audit(String accountNo, int year);

        @Locked(value = "batch", reentrant = true, lease = "1m30s", timeout = "forever")
        int batch(int depth);

        @Locked(value = "rebuild", conflict = true)
        void rebuild();

        @Locked(value = "import", conflict = true, conflictException = ImportRunning.class)
        void importFile();
    }

    public static final class ImportRunning extends RuntimeException {
        public ImportRunning(String message) {
            super(message);
        }
    }

    public static class AccountService implements Accounts {
        Accounts self;
        LockManager locks;

        @Override
        public Optional<LockInfo> post(String accountNo, long cents) {
            return locks.inspect("account:" + accountNo);
        }

        @Override
        public Optional<LockInfo> close(String accountNo) {
            return locks.inspect("account:" + accountNo + ":close");
        }

        @Override
        public String audit(String accountNo) {
            return locks.list("").get(0).name();
        }

        @Override
        public String audit(String accountNo, int year) {
            return locks.list("").get(0).name();
        }

        @Override
        public int batch(int depth) {
            return depth == 0 ? locks.list("").size() : self.batch(depth - 1);
        }

        @Override
        public void rebuild() {
        }

        @Override
        public void importFile() {
        }
    }

    /** What Spring's CGLIB makes of a bean: a subclass whose overrides carry no annotations. */
    public static class AccountService$$SpringCGLIB$$0 extends AccountService {
        @Override
        public Optional<LockInfo> post(String accountNo, long cents) {
            return super.post(accountNo, cents);
        }
    }

    private Accounts accounts(AccountService target) {
        target.locks = locks;
        Accounts proxy = locks.proxy(Accounts.class, target);
        target.self = proxy;
        return proxy;
    }

    @Test
    void lockedNamesComeFromArgumentsByPositionOrParameterName() {
        Accounts accounts = accounts(new AccountService());
        assertThat(accounts.post("42", 100)).as("locked as account:42 while it ran").isPresent();
        assertThat(accounts.close("42")).isPresent();
        assertThat(locks.list("")).isEmpty();
    }

    @Test
    void overloadsNeverShareADefaultName() {
        Accounts accounts = accounts(new AccountService());
        String service = AccountService.class.getName();
        assertThat(accounts.audit("1")).isEqualTo(service + ".audit(String)");
        assertThat(accounts.audit("1", 2026)).isEqualTo(service + ".audit(String,int)");
    }

    @Test
    void reentrantAndDurationsInTheAnnotationsOwnGrammar() {
        Accounts accounts = accounts(new AccountService());
        assertThat(accounts.batch(3)).as("one lock, re-entered three times").isEqualTo(1);
    }

    @Test
    void conflictModeInTheAnnotation() {
        Accounts accounts = accounts(new AccountService());
        try (Lock ignored = locks.acquire("rebuild"); Lock alsoIgnored = locks.acquire("import")) {
            assertThatThrownBy(accounts::rebuild).isInstanceOf(LockConflictException.class);
            assertThatThrownBy(accounts::importFile).isInstanceOf(ImportRunning.class).hasMessageContaining("import");
        }
        accounts.rebuild();
    }

    @Test
    void aGeneratedSubclassKeepsItsSuperclassAnnotationsAndName() {
        Accounts accounts = accounts(new AccountService$$SpringCGLIB$$0());
        assertThat(accounts.post("7", 1)).as("locked although the override has no annotation").isPresent();
        assertThat(accounts.audit("7")).startsWith(AccountService.class.getName() + ".audit");
    }

    @Test
    void aJdkProxyTargetIsNamedAfterItsInterfaceAndAProxyEqualsItself() {
        AccountService real = new AccountService();
        real.locks = locks;
        Accounts jdkProxy = (Accounts) Proxy.newProxyInstance(Accounts.class.getClassLoader(),
                new Class<?>[] {Accounts.class}, (p, m, a) -> m.invoke(real, a));
        Accounts accounts = locks.proxy(Accounts.class, jdkProxy);
        assertThat(accounts.audit("1")).isEqualTo(Accounts.class.getName() + ".audit(String)");
        assertThat(accounts).isEqualTo(accounts).isNotEqualTo(jdkProxy);
        assertThat(accounts.hashCode()).isEqualTo(accounts.hashCode());
    }

    @Test
    void aBadNameTemplateFailsWhenTheProxyIsMade() {
        assertThatThrownBy(() -> locks.proxy(BadTemplate.class, accountNo -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{customer}");
        assertThatThrownBy(() -> locks.proxy(BadIndex.class, accountNo -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("{1}");
    }

    public interface BadTemplate {
        @Locked("account:{customer}")
        void post(String accountNo);
    }

    public interface BadIndex {
        @Locked("account:{1}")
        void post(String accountNo);
    }

    // ---------------------------------------------------------------- helpers

    private LockManager other(LockBackend backend) {
        LockManager manager = LockManager.builder(backend).build();
        others.add(manager);
        return manager;
    }

    private static void awaitThenClose(CyclicBarrier barrier, LockManager manager) {
        try {
            barrier.await(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        manager.close();
    }
}
