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
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.distlock.testkit.ContractFixture.PATIENCE;
import static io.distlock.testkit.ContractFixture.lease;
import static io.distlock.testkit.ContractFixture.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

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
                            .waitTime(Duration.ofSeconds(30)).retryInterval(Duration.ofMillis(2)).build();
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
        assertThat(journal.violations((long) threads * perThread)).as("exclusion violations in the journal").isEmpty();
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
    @DisplayName("3.1 the backend keeps a granted lock for the whole lease and frees it by the lease plus its rounding")
    default void rule_3_1_exclusiveForTheWholeLease() {
        String name = kit().uniqueName("whole-lease");
        LockManager holder = kit().newManager();
        LockManager rival = kit().newManager();
        Duration lease = Duration.ofMillis(1500);
        // The backend's documented rounding, plus what measuring a server's clock with this JVM's
        // monotonic one costs: servers keep leases in whole milliseconds of a wall clock, which NTP
        // may slew by up to 0.05 %.
        Duration rounding = kit().leaseRounding(lease).plus(Duration.ofMillis(2)).plus(lease.dividedBy(1000));
        long sent = System.nanoTime();
        Lock held = holder.acquire(name, lease(lease));
        // The backend granted the lease before its answer arrived, and a backend that counts the lease
        // from a contender's first look (ZooKeeper) had the rival's first look at the latest when that
        // try returned: by then plus the lease and the rounding, the lock must be free.
        long freeBy = Long.MAX_VALUE;
        long giveUp = System.nanoTime() + lease.plus(rounding).plus(PATIENCE).toNanos();
        Optional<Lock> taken = Optional.empty();
        while (taken.isEmpty()) {
            long trySent = System.nanoTime();
            taken = rival.tryAcquire(name);
            if (freeBy == Long.MAX_VALUE) {
                freeBy = System.nanoTime() + lease.plus(rounding).toNanos();
            }
            if (taken.isEmpty()) {
                assertThat(trySent - freeBy).as("ns past the lease plus the backend's rounding and the clocks' (%s + %s) when a try "
                        + "still found '%s' busy", lease, rounding, name).isNegative();
                assertThat(System.nanoTime()).as("still trying").isLessThan(giveUp);
                LockSupport.parkNanos(10_000_000L); // the rival's poll interval, not a synchronization
            }
        }
        assertThat(held.isHeld()).as("the holder's own view of validity (3.3) when another manager got the lock, "
                + "%d ms after the holder sent its request for a lease of %s", (System.nanoTime() - sent) / 1_000_000, lease)
                .isFalse();
        assertThat(taken.get().token()).isGreaterThan(held.token());
        taken.get().release();
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
        Lock next = second.acquire(name, LockOptions.builder().waitTime(PATIENCE).build());
        assertThat(next.token()).isGreaterThan(expiring.token());
        second.forceRelease(name);
        try (Lock last = first.acquire(name)) {
            assertThat(last.token()).isGreaterThan(next.token());
        }
    }

    @Test
    @DisplayName("3.2 tokens keep increasing across a restart of the server that keeps its data")
    default void rule_3_2_tokensIncreaseAcrossRestart() {
        kit().requireApplicable(LockContractSuite.RESTART);
        String name = kit().uniqueName("restart");
        long before;
        try (Lock lock = kit().newManager().acquire(name)) {
            before = lock.token();
        }
        kit().restartServer();
        LockManager after = kit().newManager();
        try (Lock lock = after.acquire(name, LockOptions.builder().waitTime(PATIENCE).build())) {
            assertThat(lock.token()).as("token after the restart, of a name whose last token was %d", before)
                    .isGreaterThan(before);
        }
        try (Lock other = after.acquire(kit().uniqueName("restart-other"))) {
            assertThat(other.token()).as("token of another name after the restart").isPositive();
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
    @DisplayName("3.4 extend never touches a lock another owner holds now")
    default void rule_3_4_extendNeverTouchesAnotherOwner() {
        String name = kit().uniqueName("extend-other");
        LockManager paused = kit().newManager();
        LockManager admin = kit().newManager();
        LockManager next = kit().newManager();
        // The first holder still believes it holds (a long lease) when it wakes from a pause after
        // an administrator took the lock away and another owner got it.
        Lock stale = paused.acquire(name, lease(Duration.ofSeconds(30)));
        assertThat(admin.forceRelease(name)).isTrue();
        Lock current = next.acquire(name, lease(Duration.ofSeconds(5)));
        LockInfo before = admin.inspect(name).orElseThrow();
        assertThat(catchThrowable(() -> stale.extend(Duration.ofSeconds(60))))
                .as("what the stale holder's extend of a lock another owner holds threw")
                .isInstanceOf(LockLostException.class).hasMessageContaining(name);
        LockInfo after = admin.inspect(name).orElseThrow();
        assertThat(after.token()).as("holder after the stale extend").isEqualTo(current.token());
        assertThat(after.ownerId()).isEqualTo(before.ownerId());
        assertThat(after.expiresAt()).as("the current owner's expiry after another owner's extend of 60 s")
                .isBefore(before.expiresAt().plusSeconds(30));
        assertThat(current.verify()).isTrue();
        assertThat(current.release()).isTrue();
    }

    @Test
    @DisplayName("3.4 extend never revives a lease that has already run out on the backend")
    default void rule_3_4_extendNeverRevivesALapsedLease() {
        String name = kit().uniqueName("extend-lapsed");
        LockManager holder = kit().newManager();
        LockManager observer = kit().newManager();
        Lock lapsing = holder.acquire(name, lease(Duration.ofMillis(300)));
        Eventually.until("the backend lets the lease lapse", PATIENCE.plus(kit().leaseRounding(Duration.ofMillis(300))),
                () -> observer.inspect(name).isEmpty());
        assertThat(catchThrowable(() -> lapsing.extend(Duration.ofSeconds(60))))
                .as("what the extend of a lease that ran out on the backend, nobody having taken it since, threw")
                .isInstanceOf(LockLostException.class).hasMessageContaining(name);
        assertThat(observer.inspect(name)).as("held after the extend of a lapsed lease").isEmpty();
        // Free for others (within the backend's rounding: ZooKeeper counts a lease from a contender's first look).
        try (Lock free = observer.acquire(name, LockOptions.builder().waitTime(PATIENCE).build())) {
            assertThat(free.token()).isGreaterThan(lapsing.token());
        }
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
        int renewalsAtRelease = backend.extensions.get();
        lock.release();
        assertThat(observer.inspect(name)).isEmpty();
        // A renewal already under way when release() began may still land, once; then none may.
        // Judged over three more renewal periods on another clock, so a renewal loop that goes on,
        // however late the loaded scheduler runs it, shows.
        Lock probe = observer.acquire(kit().uniqueName("clock"), lease(Duration.ofMillis(700)));
        Eventually.until("a full renewal period passes", PATIENCE, () -> !probe.isHeld());
        int afterOnePeriod = backend.extensions.get();
        assertThat(afterOnePeriod).as("renewals a period after release").isLessThanOrEqualTo(renewalsAtRelease + 1);
        Lock longerProbe = observer.acquire(kit().uniqueName("clock"), lease(Duration.ofMillis(2100)));
        Eventually.until("three more renewal periods pass", PATIENCE, () -> !longerProbe.isHeld());
        assertThat(backend.extensions.get()).as("renewals three periods later").isEqualTo(afterOnePeriod);
        assertThat(observer.inspect(name)).as("not taken again by a late renewal").isEmpty();
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
        assertThatThrownBy(() -> locks.acquire(name, LockOptions.builder().waitTime(Duration.ofMillis(100)).build()))
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
