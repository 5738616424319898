package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockLostException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.distlock.testkit.ContractFixture.PATIENCE;
import static io.distlock.testkit.ContractFixture.lease;
import static io.distlock.testkit.ContractFixture.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chapter 3 of the contract, <em>Holding</em> (docs/lock-contract.md): exclusion, tokens, the
 * holder's view of its lease, extension, renewal, reentrancy and handles. Reentrancy with a hold
 * already taken never reaches the backend, and the renewal schedule is the engine's: those are
 * checked once, in the kit's own tests.
 */
sealed interface Holding permits LockContractSuite {

    private ContractFixture kit() {
        return (ContractFixture) this;
    }

    @Test
    @DisplayName("3.1 mutual exclusion across threads, each with its own manager")
    default void rule_3_1_threads(@TempDir Path dir) throws Exception {
        List<LockManager> managerOfThread = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            managerOfThread.add(kit().newManager());
        }
        assertExclusive(kit().uniqueName("exclusion"), dir, managerOfThread, 30);
    }

    @Test
    @DisplayName("3.1 mutual exclusion across threads that share managers (local hand-offs and turns between managers)")
    default void rule_3_1_threadsSharingManagers(@TempDir Path dir) throws Exception {
        List<LockManager> shared = List.of(kit().newManager(), kit().newManager());
        List<LockManager> managerOfThread = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            managerOfThread.add(shared.get(t % shared.size()));
        }
        String name = kit().uniqueName("shared-exclusion");
        assertExclusive(name, dir, managerOfThread, 25);
        assertThat(shared.get(0).inspect(name)).as("nothing left held").isEmpty();
    }

    /**
     * One thread per entry of {@code managerOfThread}, each taking {@code name} through its manager
     * {@code perThread} times and writing every critical section into a journal: no overlap, tokens
     * increasing, every release finding its own lock.
     */
    private static void assertExclusive(String name, Path dir, List<LockManager> managerOfThread, int perThread)
            throws Exception {
        ExclusionJournal journal = new ExclusionJournal(dir);
        int threads = managerOfThread.size();
        AtomicInteger refusedReleases = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                LockManager manager = managerOfThread.get(t);
                String who = "manager" + System.identityHashCode(manager) + "-thread" + t;
                results.add(pool.submit(() -> {
                    start.await();
                    LockOptions options = LockOptions.builder().lease(Duration.ofSeconds(30))
                            .timeout(Duration.ofSeconds(30)).retryInterval(Duration.ofMillis(2)).build();
                    for (int i = 0; i < perThread; i++) {
                        Lock lock = manager.acquire(name, options);
                        journal.criticalSection(who, lock.token());
                        if (!lock.release()) {
                            refusedReleases.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            stop(pool);
        }
        assertThat(journal.violations((long) threads * perThread)).isEmpty();
        assertThat(refusedReleases.get()).as("releases of a 30 s lease that found another owner").isZero();
    }

    @Test
    @DisplayName("3.1 mutual exclusion across 4 JVM processes")
    default void rule_3_1_processes(@TempDir Path dir) throws Exception {
        kit().requireApplicable(LockContractSuite.MULTI_PROCESS);
        String uri = kit().backendUri();
        assertThat(uri).as("backendUri() of a backend that shares locks across processes").isNotNull();
        String name = kit().uniqueName("processes");
        int processes = 4;
        int iterations = 25;
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(ExclusionWorker.class, dir.resolve("child" + i + ".err"),
                        uri, name, Integer.toString(iterations), dir.toString()));
            }
            for (ChildJvm child : children) {
                // Its JVM up (PATIENCE), then its backend open, within the fixture's timeouts.
                child.await("READY", PATIENCE.plus(kit().openTimeout()));
            }
            for (ChildJvm child : children) {
                child.send("GO");
            }
            for (ChildJvm child : children) {
                assertThat(child.awaitExit(Duration.ofSeconds(90))).as("exit code of %s; stderr:%n%s",
                        child.pid(), child.stderr()).isZero();
            }
        } finally {
            children.forEach(ChildJvm::close);
        }
        assertThat(new ExclusionJournal(dir).violations((long) processes * iterations)).isEmpty();
    }

    @Test
    @DisplayName("3.2 every acquisition's token is greater than every token before it")
    default void rule_3_2_tokensIncrease() {
        String name = kit().uniqueName("tokens");
        LockManager first = kit().newManager();
        LockManager second = kit().newManager();
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 20; i++) {
            LockManager manager = i % 2 == 0 ? first : second;
            try (Lock lock = manager.acquire(name)) {
                assertThat(lock.token()).as("token of acquisition %d", i).isGreaterThan(previous);
                assertThat(manager.inspect(name).orElseThrow().token()).isEqualTo(lock.token());
                previous = lock.token();
            }
        }
        // After an expiry and a force-release too.
        Lock expiring = first.acquire(name, lease(Duration.ofMillis(300)));
        assertThat(expiring.token()).isGreaterThan(previous);
        Lock next = second.acquire(name, LockOptions.builder().timeout(PATIENCE).build());
        assertThat(next.token()).isGreaterThan(expiring.token());
        second.forceRelease(name);
        try (Lock last = first.acquire(name)) {
            assertThat(last.token()).isGreaterThan(next.token());
        }
    }

    @Test
    @DisplayName("3.3 isHeld() counts the lease from before the request, minus drift, with no round trip")
    default void rule_3_3_conservativeValidity() {
        String name = kit().uniqueName("validity");
        ManualTicker ticker = new ManualTicker();
        CountingBackend backend = kit().newCountingBackend();
        // The request takes 400 ms of the holder's clock: validity must count from before it.
        backend.duringAcquire(() -> ticker.advance(Duration.ofMillis(400)));
        LockManager locks = kit().manage(backend, b -> b.ticker(ticker));
        Lock lock = locks.acquire(name, lease(Duration.ofSeconds(10)));
        int calls = backend.total();
        ticker.advance(Duration.ofMillis(9_400)); // 9.8 s after sending: inside 10 s less drift
        assertThat(lock.isHeld()).isTrue();
        ticker.advance(Duration.ofMillis(150)); // 9.95 s: within the 1 % + 2 ms drift allowance
        assertThat(lock.isHeld()).as("conservative near the end of the lease").isFalse();
        assertThat(backend.total()).as("isHeld() made no round trip").isEqualTo(calls);
        assertThat(lock.verify()).as("verify() asks the backend, where the lease is still valid").isTrue();
        assertThat(backend.inspects.get()).isPositive();
        lock.release();
        assertThat(lock.verify()).isFalse();
    }

    @Test
    @DisplayName("3.4 extend renews a held lock and throws LockLostException on a lost one")
    default void rule_3_4_extend() {
        String name = kit().uniqueName("extend");
        LockManager locks = kit().newManager();
        Lock lock = locks.acquire(name, lease(Duration.ofSeconds(2)));
        Instant before = locks.inspect(name).orElseThrow().expiresAt();
        lock.extend(Duration.ofSeconds(30));
        Instant after = locks.inspect(name).orElseThrow().expiresAt();
        assertThat(Duration.between(before, after)).isGreaterThan(Duration.ofSeconds(25));
        assertThat(lock.expiresAt()).isAfter(Instant.now().plusSeconds(25));
        assertThat(lock.isHeld()).isTrue();

        assertThat(kit().newManager().forceRelease(name)).isTrue();
        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(30))).isInstanceOf(LockLostException.class)
                .hasMessageContaining(name);
        assertThat(lock.isHeld()).isFalse();
        assertThatThrownBy(() -> lock.extend(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
    }

    @Test
    @DisplayName("3.5 auto-renewal keeps the lease alive past its length and stops at release")
    default void rule_3_5_autoRenew() {
        String name = kit().uniqueName("renew");
        CountingBackend backend = kit().newCountingBackend();
        LockManager locks = kit().manage(backend, b -> { });
        LockManager observer = kit().newManager();
        long beforeAcquire = System.nanoTime();
        // Renewals come every 700 ms; a lease of 2.1 s tolerates a renewal delayed by a loaded
        // machine's scheduler for well over a second without the lock lapsing.
        Lock lock = locks.acquire(name, LockOptions.builder().lease(Duration.ofMillis(2100)).autoRenew(true).build());
        // Past one and a half leases: without renewal the backend would have let it lapse by now.
        Eventually.until("1.5 leases and three renewals", PATIENCE,
                () -> System.nanoTime() - beforeAcquire > 3_150_000_000L && backend.extensions.get() >= 3);
        assertThat(observer.inspect(name)).as("still held past its 2.1 s lease")
                .map(LockInfo::token).contains(lock.token());
        assertThat(lock.isHeld()).isTrue();
        assertThat(lock.verify()).isTrue();
        lock.release();
        int renewals = backend.extensions.get();
        assertThat(observer.inspect(name)).isEmpty();
        Lock probe = observer.acquire(kit().uniqueName("clock"), lease(Duration.ofMillis(700)));
        Eventually.until("a full renewal period passes", PATIENCE, () -> !probe.isHeld());
        assertThat(backend.extensions.get()).as("no renewal after release").isEqualTo(renewals);
    }

    @Test
    @DisplayName("3.5 a renewal that fails marks the lock lost and calls the lost-lock listener")
    default void rule_3_5_renewalFailure() throws Exception {
        String name = kit().uniqueName("renew-lost");
        LockManager locks = kit().newManager();
        CountDownLatch lostCalled = new CountDownLatch(1);
        AtomicReference<Lock> lostLock = new AtomicReference<>();
        Lock lock = locks.acquire(name, LockOptions.builder().lease(Duration.ofMillis(600)).autoRenew(true)
                .onLost((l, cause) -> {
                    lostLock.set(l);
                    lostCalled.countDown();
                }).build());
        assertThat(kit().newManager().forceRelease(name)).isTrue();
        assertThat(lostCalled.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("lost-lock listener called").isTrue();
        assertThat(lostLock.get().token()).isEqualTo(lock.token());
        assertThat(lock.isHeld()).isFalse();
        assertThat(lock.release()).as("releasing a lost lock reports it").isFalse();
    }

    @Test
    @DisplayName("3.6 default mode is not reentrant: a second acquisition waits like anyone's")
    default void rule_3_6_notReentrantByDefault() {
        String name = kit().uniqueName("not-reentrant");
        LockManager locks = kit().newManager();
        Lock first = locks.acquire(name);
        assertThat(locks.tryAcquire(name)).isEmpty();
        assertThatThrownBy(() -> locks.acquire(name, LockOptions.builder().timeout(Duration.ofMillis(100)).build()))
                .isInstanceOf(LockTimeoutException.class);
        first.release();
    }

    @Test
    @DisplayName("3.7 a handle may be released from another thread")
    default void rule_3_7_releaseFromAnyThread() throws Exception {
        String name = kit().uniqueName("handle");
        LockManager locks = kit().newManager();
        Lock lock = locks.acquire(name);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            assertThat(pool.submit(lock::release).get()).isTrue();
        } finally {
            stop(pool);
        }
        assertThat(locks.inspect(name)).isEmpty();
        assertThat(lock.isHeld()).isFalse();
    }
}
