package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockException;
import io.distlock.LockInfo;
import io.distlock.LockInterruptedException;
import io.distlock.LockLostException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The lock contract (shared/lock-contract.md) as tests. A backend module extends this class in its
 * test sources and supplies {@link #newBackend()}; every numbered rule has at least one test here,
 * named after the rule.
 *
 * <p>Every backend returned by {@link #newBackend()} within one test must see the same locks (same
 * directory, same server), as separate processes would. Rules a backend cannot keep are declared
 * in {@link #notApplicable()} with the reason; their tests then end as aborted with that reason,
 * visibly in the report, never as silent passes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class LockContractSuite {
    /** Rule id of the multi-process part of 3.1 (and of 3.2 across processes). */
    public static final String MULTI_PROCESS = "3.1-processes";
    /** Rule id of waking another manager's waiter through the backend's own notification (2.5). */
    public static final String RELEASE_NOTIFICATION = "2.5-notification";
    /** Rule id of {@code list(prefix)} (5.1): not every backend can enumerate its keys. */
    public static final String LIST = "5.1-list";
    /** Rule id of namespaces (7.2). */
    public static final String NAMESPACE = "7.2";

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private final List<LockManager> managers = new ArrayList<>();
    private final List<CountingBackend> counted = new ArrayList<>();

    // ------------------------------------------------------------------ what a backend supplies

    /** A new backend instance on the shared store under test. */
    protected abstract LockBackend newBackend();

    /**
     * A new backend on the same store but in another namespace, or null if the backend has no
     * namespaces (then declare rule 7.2 not applicable).
     */
    protected LockBackend newBackend(String namespace) {
        return null;
    }

    /**
     * A URI that a child JVM opens with {@code LockBackends.open} to reach the same store, or null
     * if locks cannot be shared across processes (then declare {@link #MULTI_PROCESS} not applicable).
     */
    protected String backendUri() {
        return null;
    }

    /** Contract rule id (such as {@code "3.2"} or {@link #LIST}) to the reason this backend cannot keep it. */
    protected Map<String, String> notApplicable() {
        return Map.of();
    }

    // ------------------------------------------------------------------ helpers for subclasses

    /** A manager on a fresh backend, closed after the test. */
    protected final LockManager newManager() {
        return newManager(builder -> { });
    }

    protected final LockManager newManager(Consumer<LockManager.Builder> settings) {
        return manage(newBackend(), settings);
    }

    /** A manager whose backend counts the calls made to it. */
    /**
     * Interrupts a test's threads and waits until they have stopped: a thread still running after
     * its test could write into the test's temporary directory while JUnit deletes it, and leave
     * it behind (seen when a broken backend made rule 3.1 fail).
     */
    private static void stop(ExecutorService pool) {
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                System.err.println("distlock kit: test threads still running " + PATIENCE + " after their test");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    protected final CountingBackend newCountingBackend() {
        CountingBackend backend = new CountingBackend(newBackend());
        counted.add(backend);
        return backend;
    }

    protected final LockManager manage(LockBackend backend, Consumer<LockManager.Builder> settings) {
        LockManager.Builder builder = LockManager.builder(backend);
        settings.accept(builder);
        LockManager manager = builder.build();
        managers.add(manager);
        return manager;
    }

    /** A lock name unique to this test, so tests never see each other's locks on a shared server. */
    protected final String uniqueName(String label) {
        return "kit-" + label + "-" + System.nanoTime();
    }

    private void requireApplicable(String rule) {
        String reason = notApplicable().get(rule);
        if (reason != null) {
            throw new TestAbortedException("contract rule " + rule + " is not applicable to this backend: " + reason);
        }
    }

    @AfterEach
    void closeManagers() {
        for (LockManager manager : managers) {
            manager.close();
        }
        managers.clear();
        counted.clear();
    }

    private static LockOptions lease(Duration lease) {
        return LockOptions.builder().lease(lease).build();
    }

    // ================================================================== 2. Acquiring
    @Test
    @DisplayName("2.1 default lease is 20 s, settable per manager and per call")
    void rule_2_1_defaultLeaseAndOverrides() {
        String name = uniqueName("lease");
        LockManager defaults = newManager();
        try (Lock lock = defaults.acquire(name)) {
            LockInfo info = defaults.inspect(name).orElseThrow();
            assertThat(Duration.between(info.acquiredAt(), info.expiresAt()))
                    .isBetween(Duration.ofSeconds(19), Duration.ofSeconds(21));
            assertThat(lock.expiresAt()).isBetween(Instant.now().plusSeconds(18), Instant.now().plusSeconds(21));
        }
        LockManager fiveSeconds = newManager(b -> b.defaultLease(Duration.ofSeconds(5)));
        try (Lock ignored = fiveSeconds.acquire(name)) {
            LockInfo info = fiveSeconds.inspect(name).orElseThrow();
            assertThat(Duration.between(info.acquiredAt(), info.expiresAt()))
                    .isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6));
        }
        try (Lock ignored = fiveSeconds.acquire(name, lease(Duration.ofSeconds(60)))) {
            LockInfo info = fiveSeconds.inspect(name).orElseThrow();
            assertThat(Duration.between(info.acquiredAt(), info.expiresAt()))
                    .isBetween(Duration.ofSeconds(59), Duration.ofSeconds(61));
        }
    }

    @Test
    @DisplayName("2.1 default wait is 10 s, settable per manager and per call")
    void rule_2_1_defaultWait() {
        String name = uniqueName("wait");
        LockManager holder = newManager();
        Lock held = holder.acquire(name);
        // A ticker that runs a second per read makes a 10 s wait pass in a few polls, exactly.
        ManualTicker fast = new ManualTicker();
        LockManager waiter = newManager(b -> b.ticker(() -> {
            fast.advance(Duration.ofSeconds(1));
            return fast.read();
        }).defaultRetryInterval(Duration.ofMillis(1)));
        LockTimeoutException byDefault = catchTimeout(() -> waiter.acquire(name));
        assertThat(byDefault.waited()).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(13));

        LockTimeoutException perCall = catchTimeout(() -> waiter.acquire(name,
                LockOptions.builder().timeout(Duration.ofSeconds(30)).build()));
        assertThat(perCall.waited()).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(33));
        held.release();
    }

    @Test
    @DisplayName("2.1 default retry interval is 50 ms with jitter, settable per call")
    void rule_2_1_retryInterval() {
        String name = uniqueName("retry");
        LockManager holder = newManager();
        Lock held = holder.acquire(name);
        CountingBackend backend = newCountingBackend();
        LockManager waiter = manage(backend, b -> { });

        long start = System.nanoTime();
        catchTimeout(() -> waiter.acquire(name, LockOptions.builder().timeout(Duration.ofMillis(1000)).build()));
        double seconds = (System.nanoTime() - start) / 1e9;
        int polls = backend.acquires.get();
        // 50 ms +-50 % over about a second: 10 to 40 tries; no busy loop, no giving up early.
        assertThat(polls).as("tries in %.2f s at the default 50 ms", seconds).isBetween(8, 45);

        backend.acquires.set(0);
        catchTimeout(() -> waiter.acquire(name, LockOptions.builder().timeout(Duration.ofMillis(1000))
                .retryInterval(Duration.ofMillis(250)).build()));
        assertThat(backend.acquires.get()).as("tries at a 250 ms interval").isBetween(3, 9);
        held.release();
    }

    @Test
    @DisplayName("2.2 wait 0 tries exactly once and fails at once on a busy lock")
    void rule_2_2_tryOnce() {
        String name = uniqueName("once");
        LockManager holder = newManager();
        CountingBackend backend = newCountingBackend();
        LockManager other = manage(backend, b -> { });
        try (Lock free = other.acquire(name, LockOptions.tryOnce())) {
            assertThat(free.isHeld()).isTrue();
        }
        Lock held = holder.acquire(name);
        backend.acquires.set(0);
        assertThatThrownBy(() -> other.acquire(name, LockOptions.tryOnce()))
                .isInstanceOf(LockTimeoutException.class);
        assertThat(other.tryAcquire(name)).isEmpty();
        assertThat(backend.acquires.get()).isEqualTo(2);
        assertThat(holder.inspect(name).orElseThrow().token()).isEqualTo(held.token());
        held.release();
    }

    @Test
    @DisplayName("2.2 a negative wait waits without limit")
    void rule_2_2_waitForever() throws Exception {
        String name = uniqueName("forever");
        LockManager holder = newManager();
        Lock held = holder.acquire(name);
        CountingBackend backend = newCountingBackend();
        LockManager waiter = manage(backend, b -> b.defaultTimeout(Duration.ofSeconds(-1)));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Lock> waiting = pool.submit(() -> waiter.acquire(name,
                    LockOptions.builder().retryInterval(Duration.ofMillis(10)).build()));
            Eventually.until("the waiter polls", PATIENCE, () -> backend.acquires.get() >= 3);
            assertThat(waiting).isNotDone();
            held.release();
            Lock got = waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(got.token()).isGreaterThan(held.token());
            got.release();
        } finally {
            stop(pool);
        }
    }

    @Test
    @DisplayName("2.3 a call without a name locks the calling class's name")
    void rule_2_3_defaultName() {
        LockManager locks = newManager();
        try (Lock lock = locks.acquire()) {
            assertThat(lock.name()).isEqualTo(LockContractSuite.class.getName());
            assertThat(locks.inspect(LockContractSuite.class.getName())).isPresent();
        }
    }

    @Test
    @DisplayName("2.3 a @Locked method without a name locks ClassName.methodName")
    void rule_2_3_annotationName() {
        LockManager locks = newManager();
        LockManager observer = newManager();
        AnnotatedJob job = locks.proxy(AnnotatedJob.class, new NightlyJob(observer));
        assertThat(job.run()).as("held while the method runs").isPresent();
        assertThat(observer.inspect(NightlyJob.class.getName() + ".run")).isEmpty();
    }

    @Test
    @DisplayName("2.4 a timeout names the lock, the wait and the holder")
    void rule_2_4_timeoutMessage() {
        String name = uniqueName("timeout");
        LockManager holder = newManager();
        Lock held = holder.acquire(name);
        LockManager waiter = newManager();
        LockTimeoutException timeout = catchTimeout(() -> waiter.acquire(name,
                LockOptions.builder().timeout(Duration.ofMillis(200)).build()));
        assertThat(timeout.getMessage())
                .contains(name)
                .containsPattern("0\\.[2-9]\\d\\d s|[1-9]\\.\\d{3} s")
                .contains("pid " + ProcessHandle.current().pid())
                .contains("host ")
                .contains("since ");
        assertThat(timeout.holder()).map(LockInfo::token).contains(held.token());
        assertThat(timeout.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        held.release();
    }

    @Test
    @DisplayName("2.5 threads of one JVM waiting on one name do not each poll the backend")
    void rule_2_5_waitersCoalesce() throws Exception {
        String name = uniqueName("coalesce");
        Lock held = newManager().acquire(name);
        CountingBackend backend = newCountingBackend();
        LockManager waiter = manage(backend, b -> { });
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch allStarted = new CountDownLatch(threads);
            List<Future<?>> results = new ArrayList<>();
            LockOptions options = LockOptions.builder().timeout(Duration.ofMillis(1000))
                    .retryInterval(Duration.ofMillis(50)).build();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    allStarted.countDown();
                    return catchTimeout(() -> waiter.acquire(name, options));
                }));
            }
            allStarted.await();
            for (Future<?> result : results) {
                result.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            // One poller at 50 ms +-50 % for ~1 s: at most ~40 tries. Eight pollers would make ~160.
            assertThat(backend.acquires.get()).as("backend tries by 8 waiting threads").isBetween(1, 45);
        } finally {
            stop(pool);
            held.release();
        }
    }

    @Test
    @DisplayName("2.5 a release in this JVM wakes a waiter at once, not at its next poll")
    void rule_2_5_localReleaseWakes() throws Exception {
        String name = uniqueName("wake-local");
        CountingBackend backend = newCountingBackend();
        LockManager locks = manage(backend, b -> { });
        Lock held = locks.acquire(name);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // The waiter shares the holder's manager, so the release is local; a 30 s retry
            // interval means only a wake-up can make it return within the test's patience.
            Future<Lock> waiting = pool.submit(() -> locks.acquire(name, LockOptions.builder()
                    .timeout(Duration.ofSeconds(60)).retryInterval(Duration.ofSeconds(30)).build()));
            // Answered, not merely sent: on a network backend a try still in flight could reach
            // the server after the release and succeed without any wake-up.
            Eventually.until("the waiter has tried once", PATIENCE, () -> backend.acquires.get() >= 2);
            held.release();
            Lock got = waiting.get(10, TimeUnit.SECONDS);
            // One acquisition after the release: the waiter's retry, or the release handing the lock
            // over to it (backends that support handOver); a poll would add more.
            assertThat(backend.acquires.get() + backend.handOvers.get()).as("woken, not polling").isEqualTo(3);
            got.release();
        } finally {
            stop(pool);
        }
    }

    @Test
    @DisplayName("2.5 the backend's own notification wakes a waiter in another manager")
    void rule_2_5_backendNotificationWakes() throws Exception {
        requireApplicable(RELEASE_NOTIFICATION);
        String name = uniqueName("wake-remote");
        LockManager holder = newManager();
        Lock held = holder.acquire(name);
        CountingBackend backend = newCountingBackend();
        LockManager waiter = manage(backend, b -> { });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Lock> waiting = pool.submit(() -> waiter.acquire(name, LockOptions.builder()
                    .timeout(Duration.ofSeconds(60)).retryInterval(Duration.ofSeconds(30)).build()));
            Eventually.until("the waiter has tried once", PATIENCE, () -> backend.acquires.get() >= 1);
            held.release();
            Lock got = waiting.get(10, TimeUnit.SECONDS);
            assertThat(backend.acquires.get()).as("woken, not polling").isLessThanOrEqualTo(3);
            got.release();
        } finally {
            stop(pool);
        }
    }

    @Test
    @DisplayName("2.6 an interrupt stops a wait promptly, leaves no lock and keeps the interrupt status")
    void rule_2_6_interrupt() throws Exception {
        String name = uniqueName("interrupt");
        LockManager holder = newManager();
        Lock held = holder.acquire(name);
        CountingBackend backend = newCountingBackend();
        LockManager waiter = manage(backend, b -> { });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> flagAfter = new AtomicReference<>();
        Thread thread = new Thread(() -> {
            try {
                waiter.acquire(name, LockOptions.builder().waitForever().build()).release();
            } catch (Throwable t) {
                thrown.set(t);
                flagAfter.set(Thread.currentThread().isInterrupted());
            }
        });
        thread.start();
        Eventually.until("the waiter polls", PATIENCE, () -> backend.acquires.get() >= 2);
        thread.interrupt();
        thread.join(5_000);
        assertThat(thread.isAlive()).as("still waiting 5 s after the interrupt").isFalse();
        assertThat(thrown.get()).isInstanceOf(LockInterruptedException.class)
                .hasMessageContaining("nterrupted").hasMessageContaining(name);
        assertThat(flagAfter.get()).as("interrupt status kept").isTrue();
        assertThat(holder.inspect(name).orElseThrow().token()).isEqualTo(held.token());
        held.release();
        assertThat(holder.inspect(name)).as("nothing left behind by the interrupted waiter").isEmpty();
    }

    // ================================================================== 3. Holding
    @Test
    @DisplayName("3.1 mutual exclusion across threads, each with its own manager")
    void rule_3_1_threads(@TempDir Path dir) throws Exception {
        List<LockManager> managerOfThread = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            managerOfThread.add(newManager());
        }
        assertExclusive(uniqueName("exclusion"), dir, managerOfThread, 30);
    }

    @Test
    @DisplayName("3.1 mutual exclusion across threads that share managers (local hand-offs and turns between managers)")
    void rule_3_1_threadsSharingManagers(@TempDir Path dir) throws Exception {
        List<LockManager> shared = List.of(newManager(), newManager());
        List<LockManager> managerOfThread = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            managerOfThread.add(shared.get(t % shared.size()));
        }
        String name = uniqueName("shared-exclusion");
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
    void rule_3_1_processes(@TempDir Path dir) throws Exception {
        requireApplicable(MULTI_PROCESS);
        String uri = backendUri();
        assertThat(uri).as("backendUri() of a backend that shares locks across processes").isNotNull();
        String name = uniqueName("processes");
        int processes = 4;
        int iterations = 25;
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < processes; i++) {
                children.add(ChildJvm.start(ExclusionWorker.class, dir.resolve("child" + i + ".err"),
                        uri, name, Integer.toString(iterations), dir.toString()));
            }
            for (ChildJvm child : children) {
                child.awaitLine("READY");
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
    void rule_3_2_tokensIncrease() {
        String name = uniqueName("tokens");
        LockManager first = newManager();
        LockManager second = newManager();
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
    void rule_3_3_conservativeValidity() {
        String name = uniqueName("validity");
        ManualTicker ticker = new ManualTicker();
        CountingBackend backend = newCountingBackend();
        // The request takes 400 ms of the holder's clock: validity must count from before it.
        backend.duringAcquire(() -> ticker.advance(Duration.ofMillis(400)));
        LockManager locks = manage(backend, b -> b.ticker(ticker));
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
    void rule_3_4_extend() {
        String name = uniqueName("extend");
        LockManager locks = newManager();
        Lock lock = locks.acquire(name, lease(Duration.ofSeconds(2)));
        Instant before = locks.inspect(name).orElseThrow().expiresAt();
        lock.extend(Duration.ofSeconds(30));
        Instant after = locks.inspect(name).orElseThrow().expiresAt();
        assertThat(Duration.between(before, after)).isGreaterThan(Duration.ofSeconds(25));
        assertThat(lock.expiresAt()).isAfter(Instant.now().plusSeconds(25));
        assertThat(lock.isHeld()).isTrue();

        assertThat(newManager().forceRelease(name)).isTrue();
        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(30))).isInstanceOf(LockLostException.class)
                .hasMessageContaining(name);
        assertThat(lock.isHeld()).isFalse();
        assertThatThrownBy(() -> lock.extend(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
    }

    @Test
    @DisplayName("3.5 auto-renewal keeps the lease alive past its length and stops at release")
    void rule_3_5_autoRenew() {
        String name = uniqueName("renew");
        CountingBackend backend = newCountingBackend();
        LockManager locks = manage(backend, b -> { });
        LockManager observer = newManager();
        long beforeAcquire = System.nanoTime();
        Lock lock = locks.acquire(name, LockOptions.builder().lease(Duration.ofMillis(900)).autoRenew(true).build());
        // Past one and a half leases: without renewal the backend would have let it lapse by now.
        Eventually.until("1.5 leases and two renewals", PATIENCE,
                () -> System.nanoTime() - beforeAcquire > 1_350_000_000L && backend.extensions.get() >= 2);
        assertThat(observer.inspect(name)).as("still held past its 900 ms lease")
                .map(LockInfo::token).contains(lock.token());
        assertThat(lock.isHeld()).isTrue();
        assertThat(lock.verify()).isTrue();
        lock.release();
        int renewals = backend.extensions.get();
        assertThat(observer.inspect(name)).isEmpty();
        Lock probe = observer.acquire(uniqueName("clock"), lease(Duration.ofMillis(700)));
        Eventually.until("a full renewal period passes", PATIENCE, () -> !probe.isHeld());
        assertThat(backend.extensions.get()).as("no renewal after release").isEqualTo(renewals);
    }

    @Test
    @DisplayName("3.5 a renewal that fails marks the lock lost and calls the lost-lock listener")
    void rule_3_5_renewalFailure() throws Exception {
        String name = uniqueName("renew-lost");
        LockManager locks = newManager();
        CountDownLatch lostCalled = new CountDownLatch(1);
        AtomicReference<Lock> lostLock = new AtomicReference<>();
        Lock lock = locks.acquire(name, LockOptions.builder().lease(Duration.ofMillis(600)).autoRenew(true)
                .onLost((l, cause) -> {
                    lostLock.set(l);
                    lostCalled.countDown();
                }).build());
        assertThat(newManager().forceRelease(name)).isTrue();
        assertThat(lostCalled.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("lost-lock listener called").isTrue();
        assertThat(lostLock.get().token()).isEqualTo(lock.token());
        assertThat(lock.isHeld()).isFalse();
        assertThat(lock.release()).as("releasing a lost lock reports it").isFalse();
    }

    @Test
    @DisplayName("3.6 reentrant mode: the same thread re-acquires; released with the last hold")
    void rule_3_6_reentrant() throws Exception {
        String name = uniqueName("reentrant");
        LockManager locks = newManager();
        LockManager observer = newManager();
        LockOptions reentrant = LockOptions.builder().reentrant(true).tryOnce().build();
        Lock outer = locks.acquire(name, reentrant);
        Lock inner = locks.acquire(name, reentrant);
        assertThat(inner.token()).isEqualTo(outer.token());
        // Another thread does not share the hold.
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            assertThat(pool.submit(() -> locks.tryAcquire(name, reentrant)).get()).isEmpty();
        } finally {
            stop(pool);
        }
        assertThat(inner.release()).isTrue();
        assertThat(observer.inspect(name)).as("still held by the outer hold").isPresent();
        assertThat(outer.isHeld()).isTrue();
        assertThat(outer.release()).isTrue();
        assertThat(observer.inspect(name)).as("released with the last hold").isEmpty();
    }

    @Test
    @DisplayName("3.6 default mode is not reentrant: a second acquisition waits like anyone's")
    void rule_3_6_notReentrantByDefault() {
        String name = uniqueName("not-reentrant");
        LockManager locks = newManager();
        Lock first = locks.acquire(name);
        assertThat(locks.tryAcquire(name)).isEmpty();
        assertThatThrownBy(() -> locks.acquire(name, LockOptions.builder().timeout(Duration.ofMillis(100)).build()))
                .isInstanceOf(LockTimeoutException.class);
        first.release();
    }

    @Test
    @DisplayName("3.7 a handle may be released from another thread")
    void rule_3_7_releaseFromAnyThread() throws Exception {
        String name = uniqueName("handle");
        LockManager locks = newManager();
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

    // ================================================================== 4. Releasing
    @Test
    @DisplayName("4.1 release never removes a lock that expired and was taken by someone else")
    void rule_4_1_releaseChecksOwner() {
        String name = uniqueName("owner");
        LockManager first = newManager();
        LockManager second = newManager();
        Lock expired = first.acquire(name, lease(Duration.ofMillis(300)));
        Lock current = second.acquire(name, LockOptions.builder().timeout(PATIENCE).build());
        assertThat(expired.release()).as("release of an expired, re-taken lock").isFalse();
        LockInfo holder = second.inspect(name).orElseThrow();
        assertThat(holder.token()).isEqualTo(current.token());
        assertThat(current.isHeld()).isTrue();
        assertThat(current.release()).isTrue();
    }

    @Test
    @DisplayName("4.2 releasing a lost lock reports it; releasing twice is harmless; close() never throws")
    void rule_4_2_lostAndDoubleRelease() {
        String name = uniqueName("twice");
        LockManager locks = newManager();
        Lock lock = locks.acquire(name);
        assertThat(lock.release()).isTrue();
        assertThat(lock.release()).isFalse();
        lock.close();

        Lock lost = locks.acquire(name);
        newManager().forceRelease(name);
        Lock other = newManager().acquire(name);
        assertThat(lost.release()).isFalse();
        lost.close();
        assertThat(locks.inspect(name).orElseThrow().token()).isEqualTo(other.token());
        other.release();
    }

    @Test
    @DisplayName("4.2 release works from an interrupted thread and keeps its interrupt status")
    void rule_4_2_releaseWhenInterrupted() {
        String name = uniqueName("interrupted-release");
        LockManager locks = newManager();
        Lock lock = locks.acquire(name);
        Thread.currentThread().interrupt();
        try {
            assertThat(lock.release()).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(locks.inspect(name)).isEmpty();
    }

    @Test
    @DisplayName("4.3 closing a manager releases its locks and stops its waiters and renewals")
    void rule_4_3_closeManager() throws Exception {
        String held = uniqueName("close-held");
        String busy = uniqueName("close-busy");
        LockManager observer = newManager();
        LockManager closing = newManager();
        Lock renewed = closing.acquire(held, LockOptions.builder().autoRenew(true).build());
        Lock blocker = observer.acquire(busy);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch waiting = new CountDownLatch(1);
            Future<?> waiter = pool.submit(() -> {
                waiting.countDown();
                return closing.acquire(busy, LockOptions.builder().waitForever().build());
            });
            waiting.await();
            closing.close();
            assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(LockException.class);
        } finally {
            stop(pool);
        }
        assertThat(observer.inspect(held)).as("released by close()").isEmpty();
        assertThat(renewed.isHeld()).isFalse();
        assertThatThrownBy(() -> closing.acquire(held)).isInstanceOf(LockException.class).hasMessageContaining("closed");
        blocker.release();
    }

    // ================================================================== 5. Seeing and repairing
    @Test
    @DisplayName("5.1 inspect tells owner, host, pid, thread, times and token")
    void rule_5_1_inspect() {
        String name = uniqueName("inspect");
        LockManager locks = newManager();
        assertThat(locks.inspect(name)).isEmpty();
        Instant before = Instant.now().minusSeconds(1);
        try (Lock lock = locks.acquire(name, lease(Duration.ofSeconds(30)))) {
            LockInfo info = newManager().inspect(name).orElseThrow();
            assertThat(info.name()).isEqualTo(name);
            assertThat(info.ownerId()).isNotBlank();
            assertThat(info.host()).isNotBlank();
            assertThat(info.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(info.thread()).isEqualTo(Thread.currentThread().getName());
            assertThat(info.acquiredAt()).isBetween(before, Instant.now().plusSeconds(1));
            assertThat(info.expiresAt()).isAfter(Instant.now().plusSeconds(25));
            assertThat(info.token()).isEqualTo(lock.token());
        }
    }

    @Test
    @DisplayName("5.1 list(prefix) lists the held locks under a prefix")
    void rule_5_1_list() {
        requireApplicable(LIST);
        String prefix = uniqueName("list") + "/";
        LockManager locks = newManager();
        Lock a = locks.acquire(prefix + "a");
        Lock b = locks.acquire(prefix + "b");
        Lock outside = locks.acquire(prefix.substring(0, prefix.length() - 1) + "-other");
        List<LockInfo> listed = newManager().list(prefix);
        assertThat(listed).extracting(LockInfo::name).containsExactlyInAnyOrder(prefix + "a", prefix + "b");
        assertThat(listed).extracting(LockInfo::token).containsExactlyInAnyOrder(a.token(), b.token());
        b.release();
        assertThat(locks.list(prefix)).extracting(LockInfo::name).containsExactly(prefix + "a");
        a.release();
        outside.release();
    }

    @Test
    @DisplayName("5.2 forceRelease removes a lock whoever holds it")
    void rule_5_2_forceRelease() {
        String name = uniqueName("force");
        LockManager holder = newManager();
        LockManager admin = newManager();
        Lock lock = holder.acquire(name);
        assertThat(admin.forceRelease(name)).isTrue();
        assertThat(admin.inspect(name)).isEmpty();
        assertThat(admin.forceRelease(name)).isFalse();
        assertThat(lock.verify()).isFalse();
        try (Lock next = admin.acquire(name, LockOptions.tryOnce())) {
            assertThat(next.token()).isGreaterThan(lock.token());
        }
    }

    // ================================================================== 6. Bad input and faults
    @Test
    @DisplayName("6.1 any name up to 1024 UTF-8 bytes is its own lock; names never escape the namespace")
    void rule_6_1_names() {
        LockManager first = newManager();
        LockManager second = newManager();
        String unique = uniqueName("n");
        List<String> names = List.of(
                unique + "../../etc/passwd", unique + "/", unique + "a/b", unique + "a_b", unique + "a%2Fb",
                unique + "A", unique + "a", unique + " spaced name", unique + "\u0000nul", unique + "\n\t",
                unique + "CON", unique + "nul", unique + "ünïcødé-名前-🔒", unique + ":colon", unique + "*",
                unique + "x".repeat(1024 - unique.length()),
                unique + "é".repeat((1024 - unique.length()) / 2));
        List<Lock> held = new ArrayList<>();
        for (String name : names) {
            assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
            Lock lock = first.acquire(name, LockOptions.tryOnce());
            held.add(lock);
            assertThat(lock.name()).isEqualTo(name);
        }
        for (String name : names) {
            assertThat(second.tryAcquire(name)).as("'%s' is busy from another manager", name).isEmpty();
            assertThat(second.inspect(name)).as("inspect '%s'", name).map(LockInfo::name).contains(name);
        }
        held.forEach(Lock::release);
        for (String name : names) {
            assertThat(second.inspect(name)).as("'%s' released", name).isEmpty();
        }
    }

    @Test
    @DisplayName("6.2 null, empty and oversized names, and senseless options, are rejected naming the value")
    void rule_6_2_badInput() {
        LockManager locks = newManager();
        assertThatThrownBy(() -> locks.acquire((String) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
        assertThatThrownBy(() -> locks.acquire("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("empty");
        String tooLong = "y".repeat(1025);
        assertThatThrownBy(() -> locks.acquire(tooLong)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1025");
        assertThatThrownBy(() -> locks.tryAcquire("é".repeat(513))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1026");
        assertThatThrownBy(() -> LockOptions.builder().lease(Duration.ofSeconds(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-5S");
        assertThatThrownBy(() -> LockOptions.builder().lease(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> LockOptions.builder().retryInterval(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> LockOptions.builder().onConflict(IllegalStateException::new)
                .timeout(Duration.ofSeconds(3)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT3S");
        assertThatThrownBy(() -> LockManager.builder(newBackend()).defaultLease(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> locks.acquire("x", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("options");
        assertThatThrownBy(() -> locks.list(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("prefix");
        assertThatThrownBy(() -> locks.forceRelease("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("6.2 conflict mode fails at once with the caller's exception")
    void rule_6_2_conflictMode() {
        String name = uniqueName("conflict");
        LockManager locks = newManager();
        LockOptions optimistic = LockOptions.builder()
                .onConflict(lockName -> new IllegalStateException("retry the transaction: " + lockName)).build();
        try (Lock free = locks.acquire(name, optimistic)) {
            assertThatThrownBy(() -> newManager().acquire(name, optimistic))
                    .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining(name);
            assertThat(free.isHeld()).isTrue();
        }
    }

    @Test
    @DisplayName("6.5 every exception distlock throws on purpose extends LockException")
    void rule_6_5_hierarchy() {
        assertThat(List.of(LockTimeoutException.class, LockLostException.class, LockBackendException.class,
                LockInterruptedException.class)).allMatch(LockException.class::isAssignableFrom);
        assertThat(RuntimeException.class).isAssignableFrom(LockException.class);
    }

    // ================================================================== 7. Per backend
    @Test
    @DisplayName("7.2 managers in different namespaces never exclude each other")
    void rule_7_2_namespaces() {
        requireApplicable(NAMESPACE);
        String name = uniqueName("namespace");
        LockBackend tenantA = newBackend("kit-tenant-a");
        LockBackend tenantB = newBackend("kit-tenant-b");
        assertThat(tenantA).as("newBackend(namespace) of a backend with namespaces").isNotNull();
        LockManager a = manage(tenantA, b -> { });
        LockManager b = manage(tenantB, x -> { });
        LockManager defaultNamespace = newManager();
        try (Lock inA = a.acquire(name, LockOptions.tryOnce());
             Lock inB = b.acquire(name, LockOptions.tryOnce());
             Lock inDefault = defaultNamespace.acquire(name, LockOptions.tryOnce())) {
            assertThat(List.of(inA, inB, inDefault)).allMatch(Lock::isHeld);
            assertThat(manage(newBackend("kit-tenant-a"), x -> { }).tryAcquire(name)).isEmpty();
        }
    }

    // ------------------------------------------------------------------ shared helpers

    /** For rule 2.3: an interface whose method carries {@code @Locked} without a name. */
    public interface AnnotatedJob {
        @io.distlock.Locked
        java.util.Optional<LockInfo> run();
    }

    /** Its implementation: the lock's name is this class's name plus ".run". */
    public static final class NightlyJob implements AnnotatedJob {
        private final LockManager observer;

        NightlyJob(LockManager observer) {
            this.observer = observer;
        }

        @Override
        public java.util.Optional<LockInfo> run() {
            return observer.inspect(NightlyJob.class.getName() + ".run");
        }
    }

    private static LockTimeoutException catchTimeout(Runnable acquire) {
        try {
            acquire.run();
        } catch (LockTimeoutException expected) {
            return expected;
        }
        throw new AssertionError("expected a LockTimeoutException, but the lock was acquired");
    }
}
