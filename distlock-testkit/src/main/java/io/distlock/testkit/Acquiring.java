package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockInterruptedException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static io.distlock.testkit.ContractFixture.PATIENCE;
import static io.distlock.testkit.ContractFixture.catchTimeout;
import static io.distlock.testkit.ContractFixture.lease;
import static io.distlock.testkit.ContractFixture.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chapter 2 of the contract, <em>Acquiring</em> (docs/lock-contract.md): what a backend takes part
 * in when a lock is asked for. The defaults themselves (2.1), the calling class's name (2.3) and
 * the jitter are decided by the engine alone and are checked once, in the kit's own tests.
 */
sealed interface Acquiring permits LockContractSuite {

    private ContractFixture kit() {
        return (ContractFixture) this;
    }

    @Test
    @DisplayName("2.1 the lease set per manager and per call is the lease the backend keeps")
    default void rule_2_1_leaseKeptByBackend() {
        String name = kit().uniqueName("lease");
        LockManager fiveSeconds = kit().newManager(b -> b.defaultLease(Duration.ofSeconds(5)));
        try (Lock ignored = fiveSeconds.acquire(name)) {
            LockInfo info = fiveSeconds.inspect(name).orElseThrow();
            assertThat(Duration.between(info.acquiredAt(), info.expiresAt()))
                    .isBetween(Duration.ofSeconds(4), Duration.ofSeconds(6));
        }
        try (Lock lock = fiveSeconds.acquire(name, lease(Duration.ofSeconds(60)))) {
            LockInfo info = fiveSeconds.inspect(name).orElseThrow();
            assertThat(Duration.between(info.acquiredAt(), info.expiresAt()))
                    .isBetween(Duration.ofSeconds(59), Duration.ofSeconds(61));
            assertThat(lock.expiresAt()).isBetween(info.expiresAt().minusSeconds(2), info.expiresAt().plusSeconds(1));
        }
    }

    @Test
    @DisplayName("2.1 default retry interval is 50 ms with jitter, settable per call")
    default void rule_2_1_retryInterval() {
        String name = kit().uniqueName("retry");
        LockManager holder = kit().newManager();
        Lock held = holder.acquire(name);
        CountingBackend backend = kit().newCountingBackend();
        LockManager waiter = kit().manage(backend, b -> { });

        // The pauses between tries are what the retry interval sets; a slow backend (two round
        // trips per try on a loaded database) makes fewer tries in a second without pausing less,
        // so the pauses are measured: the wait's time minus the time spent inside the tries.
        assertThat(meanPauseMillis(waiter, backend, name, null))
                .as("mean pause between tries at the default 50 ms (+-50 %% jitter, plus the scheduling delays of a loaded machine)").isBetween(22.0, 110.0);
        assertThat(meanPauseMillis(waiter, backend, name, Duration.ofMillis(250)))
                .as("mean pause between tries at a 250 ms interval").isBetween(120.0, 450.0);
        held.release();
    }

    /**
     * Waits 1 s for the busy {@code name} and returns the mean pause between the tries, in ms.
     * No busy loop (a backend that reported releases that did not happen would make one), no
     * giving up after one try.
     */
    private static double meanPauseMillis(LockManager waiter, CountingBackend backend, String name, Duration interval) {
        backend.acquires.set(0);
        backend.acquireNanos.set(0);
        LockOptions.Builder options = LockOptions.builder().waitTime(Duration.ofMillis(1000));
        if (interval != null) {
            options.retryInterval(interval);
        }
        long start = System.nanoTime();
        catchTimeout(() -> waiter.acquire(name, options.build()));
        int tries = backend.acquires.get();
        assertThat(tries).as("tries in a wait of 1 s").isGreaterThanOrEqualTo(2);
        // From the wait's start to the last try's answer: the tries, and the tries - 1 pauses between them.
        long untilLastAnswer = backend.lastAcquireAnsweredAt.get() - start;
        return (untilLastAnswer - backend.acquireNanos.get()) / 1e6 / (tries - 1);
    }

    @Test
    @DisplayName("2.2 wait 0 tries exactly once and fails at once on a busy lock")
    default void rule_2_2_tryOnce() {
        String name = kit().uniqueName("once");
        LockManager holder = kit().newManager();
        CountingBackend backend = kit().newCountingBackend();
        LockManager other = kit().manage(backend, b -> { });
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
    @DisplayName("2.2 a negative wait, or forever, waits without limit: past the default wait of 10 s")
    default void rule_2_2_waitForever() throws Exception {
        String byDefault = kit().uniqueName("forever-default");
        String perCall = kit().uniqueName("forever-call");
        LockManager holder = kit().newManager();
        Lock heldByDefault = holder.acquire(byDefault);
        Lock heldPerCall = holder.acquire(perCall);
        // The waiters' clock is moved by hand: an hour passes for them in an instant, so a wait
        // that had a limit (the default 10 s or any other) would end at their next poll.
        ManualTicker clock = new ManualTicker();
        CountingBackend negativeDefault = kit().newCountingBackend();
        LockManager waitsByDefault = kit().manage(negativeDefault,
                b -> b.ticker(clock).defaultTimeout(Duration.ofSeconds(-1)));
        CountingBackend defaults = kit().newCountingBackend();
        LockManager waitsPerCall = kit().manage(defaults, b -> b.ticker(clock));
        LockOptions polling = LockOptions.builder().retryInterval(Duration.ofMillis(10)).build();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Lock> first = pool.submit(() -> waitsByDefault.acquire(byDefault, polling));
            Future<Lock> second = pool.submit(() -> waitsPerCall.acquire(perCall,
                    LockOptions.builder().retryInterval(Duration.ofMillis(10)).waitForever().build()));
            Eventually.until("both waiters poll", PATIENCE,
                    () -> negativeDefault.acquires.get() >= 2 && defaults.acquires.get() >= 2);
            clock.advance(Duration.ofHours(1));
            int seenByDefault = negativeDefault.acquires.get();
            int seenPerCall = defaults.acquires.get();
            // A waiter that gave up ends the polling at once, so the failure says which one.
            Eventually.until("both waiters still poll, an hour of their clock later", PATIENCE,
                    () -> first.isDone() || second.isDone()
                            || negativeDefault.acquires.get() >= seenByDefault + 2
                            && defaults.acquires.get() >= seenPerCall + 2);
            assertThat(first).as("a negative default wait").isNotDone();
            assertThat(second).as("waitForever() on a manager with the default wait").isNotDone();
            heldByDefault.release();
            heldPerCall.release();
            Lock gotByDefault = first.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            Lock gotPerCall = second.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(gotByDefault.token()).isGreaterThan(heldByDefault.token());
            assertThat(gotPerCall.token()).isGreaterThan(heldPerCall.token());
            gotByDefault.release();
            gotPerCall.release();
        } finally {
            stop(pool);
        }
    }

    @Test
    @DisplayName("2.4 a timeout names the lock, the wait and the holder")
    default void rule_2_4_timeoutMessage() {
        String name = kit().uniqueName("timeout");
        LockManager holder = kit().newManager();
        Lock held = holder.acquire(name);
        LockManager waiter = kit().newManager();
        LockTimeoutException timeout = catchTimeout(() -> waiter.acquire(name,
                LockOptions.builder().waitTime(Duration.ofMillis(200)).build()));
        assertThat(timeout.getMessage())
                .contains(name)
                // At least the 0.2 s asked for, however much longer a loaded machine made it.
                .containsPattern("(0\\.[2-9]\\d\\d|[1-9]\\d*\\.\\d{3}) s")
                .contains("pid " + ProcessHandle.current().pid())
                .contains("host ")
                .contains("since ");
        assertThat(timeout.holder()).map(LockInfo::token).contains(held.token());
        assertThat(timeout.waited()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        held.release();
    }

    @Test
    @DisplayName("2.5 threads of one JVM waiting on one name do not each poll the backend")
    default void rule_2_5_waitersCoalesce() throws Exception {
        String name = kit().uniqueName("coalesce");
        Lock held = kit().newManager().acquire(name);
        CountingBackend backend = kit().newCountingBackend();
        LockManager waiter = kit().manage(backend, b -> { });
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch allStarted = new CountDownLatch(threads);
            List<Future<?>> results = new ArrayList<>();
            long start = System.nanoTime();
            LockOptions options = LockOptions.builder().waitTime(Duration.ofMillis(1000))
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
            assertThat(backend.acquires.get()).as("backend tries by 8 waiting threads").isBetween(5, 45);
            // ... and one that polled once and then slept through the wait is no poller: tries must
            // go on into the second half of the wait.
            assertThat((backend.lastAcquireAnsweredAt.get() - start) / 1_000_000)
                    .as("ms into the 1 s wait of the last try answered").isGreaterThanOrEqualTo(500);
        } finally {
            stop(pool);
            held.release();
        }
    }

    @Test
    @DisplayName("2.5 a release in this JVM wakes a waiter at once, not at its next poll")
    default void rule_2_5_localReleaseWakes() throws Exception {
        String name = kit().uniqueName("wake-local");
        CountingBackend backend = kit().newCountingBackend();
        LockManager locks = kit().manage(backend, b -> { });
        Lock held = locks.acquire(name);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // The waiter shares the holder's manager, so the release is local; a 30 s retry
            // interval means only a wake-up can make it return within the test's patience.
            Future<Lock> waiting = pool.submit(() -> locks.acquire(name, LockOptions.builder()
                    .waitTime(Duration.ofSeconds(60)).retryInterval(Duration.ofSeconds(30)).build()));
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
    default void rule_2_5_backendNotificationWakes() throws Exception {
        kit().requireApplicable(LockContractSuite.RELEASE_NOTIFICATION);
        String name = kit().uniqueName("wake-remote");
        LockManager holder = kit().newManager();
        Lock held = holder.acquire(name);
        CountingBackend backend = kit().newCountingBackend();
        LockManager waiter = kit().manage(backend, b -> { });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Lock> waiting = pool.submit(() -> waiter.acquire(name, LockOptions.builder()
                    .waitTime(Duration.ofSeconds(60)).retryInterval(Duration.ofSeconds(30)).build()));
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
    default void rule_2_6_interrupt() throws Exception {
        String name = kit().uniqueName("interrupt");
        LockManager holder = kit().newManager();
        Lock held = holder.acquire(name);
        CountingBackend backend = kit().newCountingBackend();
        LockManager waiter = kit().manage(backend, b -> { });
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

    @Test
    @DisplayName("2.7 conflict mode fails at once with the caller's exception")
    default void rule_2_7_conflictMode() {
        String name = kit().uniqueName("conflict");
        LockManager locks = kit().newManager();
        LockOptions optimistic = LockOptions.builder()
                .onConflict(lockName -> new IllegalStateException("retry the transaction: " + lockName)).build();
        try (Lock free = locks.acquire(name, optimistic)) {
            assertThatThrownBy(() -> kit().newManager().acquire(name, optimistic))
                    .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining(name);
            assertThat(free.isHeld()).isTrue();
        }
    }
}
