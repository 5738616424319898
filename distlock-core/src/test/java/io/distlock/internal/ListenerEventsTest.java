package io.distlock.internal;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockConflictException;
import io.distlock.LockException;
import io.distlock.LockInterruptedException;
import io.distlock.LockListener;
import io.distlock.LockLostException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.distlock.internal.Polling.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which {@link LockListener} event the engine reports, and when: every acquire or tryAcquire call
 * that asks the backend ends in exactly one of acquired, busy, conflicted, timedOut, interrupted and
 * acquireFailed; renewed follows every extension the backend grants and nothing else; a listener
 * that throws from any of them changes nothing the caller sees.
 */
class ListenerEventsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final List<LockManager> managers = new ArrayList<>();
    private final Backend backend = new Backend();
    private final Recorder events = new Recorder();

    @AfterEach
    void close() {
        managers.forEach(LockManager::close);
        Thread.interrupted();
    }

    private LockManager manager(LockListener listener) {
        LockManager manager = LockManager.builder(backend).defaultRetryInterval(Duration.ofMillis(10))
                .listener(listener).build();
        managers.add(manager);
        return manager;
    }

    // ---------------------------------------------------------------- one outcome per acquisition

    @Test
    void aFreeLockIsAcquiredAndAHeldOneIsBusyForTryAcquire() {
        LockManager locks = manager(events);
        Lock held = locks.tryAcquire("a").orElseThrow();
        assertThat(locks.tryAcquire("a")).isEmpty();
        held.close();
        assertThat(events.log).containsExactly("acquired a", "busy a", "released a");
    }

    @Test
    void anAcquireWithAZeroWaitIsBusyNotTimedOut() {
        LockManager locks = manager(events);
        Lock held = locks.acquire("a");
        assertThatThrownBy(() -> locks.acquire("a", LockOptions.tryOnce())).isInstanceOf(LockTimeoutException.class);
        held.close();
        assertThat(events.log).containsExactly("acquired a", "busy a", "released a");
    }

    @Test
    void aWaitThatRunsOutIsTimedOutWithTheTimeWaited() {
        LockManager locks = manager(events);
        Lock held = locks.acquire("a");
        events.log.clear();
        assertThatThrownBy(() -> locks.acquire("a", LockOptions.builder().timeout(Duration.ofMillis(150)).build()))
                .isInstanceOf(LockTimeoutException.class);
        assertThat(events.log).containsExactly("timedOut a");
        assertThat(events.lastWaited.get()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        held.close();
    }

    @Test
    void conflictModeIsConflictedOnly() {
        LockManager locks = manager(events);
        Lock held = locks.acquire("a");
        events.log.clear();
        assertThatThrownBy(() -> locks.acquire("a", LockOptions.builder().conflictMode().build()))
                .isInstanceOf(LockConflictException.class);
        assertThat(events.log).containsExactly("conflicted a");
        held.close();
    }

    @Test
    void reenteringAHeldReentrantLockReportsNothing() {
        LockManager locks = manager(events);
        LockOptions reentrant = LockOptions.builder().reentrant(true).build();
        Lock outer = locks.acquire("a", reentrant);
        Lock inner = locks.acquire("a", reentrant);
        inner.close();
        assertThat(events.log).containsExactly("acquired a");
        outer.close();
        assertThat(events.log).containsExactly("acquired a", "released a");
    }

    @Test
    void aThreadInterruptedWhileWaitingIsInterruptedOnly() throws Exception {
        LockManager locks = manager(events);
        Lock held = locks.acquire("a");
        events.log.clear();
        int attemptsBefore = backend.attempts.get();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Lock> waiting = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            return locks.acquire("a", LockOptions.builder().timeout(PATIENCE).build());
        });
        until("the waiter has asked twice", () -> backend.attempts.get() >= attemptsBefore + 2);
        waiter.get().interrupt();
        assertThatThrownBy(() -> waiting.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(LockInterruptedException.class);
        assertThat(events.log).containsExactly("interrupted a");
        assertThat(events.lastWaited.get()).isPositive();
        held.close();
    }

    @Test
    void aThreadInterruptedBeforeAskingIsInterruptedOnly() {
        LockManager locks = manager(events);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> locks.tryAcquire("a")).isInstanceOf(LockInterruptedException.class);
        assertThat(Thread.interrupted()).as("the interrupt status is kept").isTrue();
        assertThat(events.log).containsExactly("interrupted a");
    }

    @Test
    void aBackendCallCutShortByAnInterruptIsInterruptedNotAFailure() {
        LockManager locks = manager(events);
        backend.failure.set(new IllegalStateException("request cancelled", new InterruptedException()));
        assertThatThrownBy(() -> locks.tryAcquire("a")).isInstanceOf(LockInterruptedException.class);
        Thread.interrupted();
        assertThat(events.log).containsExactly("interrupted a");
    }

    @Test
    void aBackendFailureIsABackendFailureAndAFailedAcquisition() {
        LockManager locks = manager(events);
        backend.failure.set(new IllegalStateException("injected"));
        assertThatThrownBy(() -> locks.acquire("a")).isInstanceOf(LockBackendException.class);
        assertThat(events.log).containsExactly("backendFailed acquire a", "acquireFailed a LockBackendException");
    }

    @Test
    void aWaitThatRidesOutAReconnectIsAcquiredOnceDespiteFailedAttempts() {
        LockManager locks = manager(events);
        backend.events.connectionLost(new LockBackendException("dropped by the test"));
        backend.failure.set(new LockBackendException("not connected"));
        int attemptsBefore = backend.attempts.get();
        CompletableFuture<Lock> waiting = CompletableFuture.supplyAsync(() ->
                locks.acquire("a", LockOptions.builder().timeout(PATIENCE).build()));
        until("two attempts failed", () -> backend.attempts.get() >= attemptsBefore + 2);
        backend.failure.set(null);
        backend.events.connectionRestored();
        Lock lock = waiting.join();
        lock.close();
        List<String> outcomes = events.log.stream().filter(e -> !e.startsWith("backendFailed")).toList();
        assertThat(outcomes).containsExactly("acquired a", "released a");
        assertThat(events.log).filteredOn(e -> e.equals("backendFailed acquire a")).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aLockWonWhileTheManagerClosesIsGivenBackAndTheCallIsAFailedAcquisition() throws Exception {
        LockManager locks = manager(events);
        Lock held = locks.acquire("a");
        CountDownLatch asking = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        backend.gate.set(new CountDownLatch[] {asking, answer});
        CompletableFuture<Lock> waiting = CompletableFuture.supplyAsync(() ->
                locks.acquire("a", LockOptions.builder().timeout(PATIENCE).build()));
        assertThat(asking.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the waiter is asking").isTrue();
        // close() releases the holder's lock while the waiter's request is on its way: the request
        // then wins the lock for a manager that is closed.
        locks.close();
        answer.countDown();
        assertThatThrownBy(() -> waiting.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .hasCauseInstanceOf(LockException.class).hasMessageContaining("closed while acquiring");
        assertThat(events.log).containsExactlyInAnyOrder("acquired a", "released a", "acquireFailed a LockException");
        assertThat(held.isHeld()).isFalse();
        assertThat(backend.delegate().inspect("a")).as("given back").isEmpty();
    }

    // ---------------------------------------------------------------- renewals

    @Test
    void everyGrantedExtensionIsRenewedWithItsLease() {
        LockManager locks = manager(events);
        Lock lock = locks.acquire("a", LockOptions.builder().lease(Duration.ofMillis(300)).autoRenew(true).build());
        until("renewed automatically twice", () -> events.renewals.get() >= 2);
        assertThat(events.log).filteredOn(e -> e.startsWith("renewed")).allMatch(e -> e.equals("renewed a "
                + lock.token() + " PT0.3S"));
        assertThat(lock.isHeld()).isTrue();
        lock.close();

        Lock explicit = locks.acquire("b");
        events.log.clear();
        explicit.extend(Duration.ofSeconds(45));
        assertThat(events.log).containsExactly("renewed b " + explicit.token() + " PT45S");
        explicit.close();
    }

    @Test
    void anExtensionRefusedOrFailedIsNotARenewal() {
        LockManager locks = manager(events);
        Lock refused = locks.acquire("a");
        locks.forceRelease("a");
        events.log.clear();
        assertThatThrownBy(() -> refused.extend(Duration.ofSeconds(30))).isInstanceOf(LockLostException.class);
        assertThat(events.log).containsExactly("lost a");

        Lock failing = locks.acquire("b");
        events.log.clear();
        backend.extendFailure.set(new IllegalStateException("injected"));
        assertThatThrownBy(() -> failing.extend(Duration.ofSeconds(30))).isInstanceOf(LockBackendException.class);
        assertThat(events.log).containsExactly("backendFailed extend b");
        backend.extendFailure.set(null);
        failing.close();
    }

    // ---------------------------------------------------------------- listeners cannot break locking

    @Test
    void aListenerThatThrowsFromEveryNewEventChangesNothing() throws Exception {
        LockManager locks = manager(new Throwing());
        Lock held = locks.acquire("a", LockOptions.builder().lease(Duration.ofMillis(300)).autoRenew(true).build());
        int extensions = backend.extensions.get();
        until("renewed three times despite the listener", () -> backend.extensions.get() >= extensions + 3);
        assertThat(held.isHeld()).isTrue();

        assertThat(locks.tryAcquire("a")).isEmpty();
        assertThatThrownBy(() -> locks.acquire("a", LockOptions.tryOnce())).isInstanceOf(LockTimeoutException.class);
        assertThatThrownBy(() -> locks.acquire("a", LockOptions.builder().timeout(Duration.ofMillis(50)).build()))
                .isInstanceOf(LockTimeoutException.class);
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> locks.acquire("b")).isInstanceOf(LockInterruptedException.class);
        assertThat(Thread.interrupted()).isTrue();
        backend.failure.set(new IllegalStateException("injected"));
        assertThatThrownBy(() -> locks.acquire("b")).isInstanceOf(LockBackendException.class)
                .hasMessageContaining("injected");
        backend.failure.set(null);
        held.extend(Duration.ofSeconds(30));
        assertThat(held.release()).isTrue();
        assertThat(locks.tryAcquire("a")).isPresent();
    }

    // ---------------------------------------------------------------- helpers

    /** Records events as "event name [detail]". */
    private static final class Recorder implements LockListener {
        final List<String> log = new CopyOnWriteArrayList<>();
        final AtomicReference<Duration> lastWaited = new AtomicReference<>();
        final AtomicInteger renewals = new AtomicInteger();

        @Override
        public void acquired(Lock lock, Duration waited) {
            log.add("acquired " + lock.name());
        }

        @Override
        public void busy(String name, Duration waited) {
            lastWaited.set(waited);
            log.add("busy " + name);
        }

        @Override
        public void timedOut(String name, Duration waited) {
            lastWaited.set(waited);
            log.add("timedOut " + name);
        }

        @Override
        public void conflicted(String name, Duration waited) {
            log.add("conflicted " + name);
        }

        @Override
        public void interrupted(String name, Duration waited) {
            lastWaited.set(waited);
            log.add("interrupted " + name);
        }

        @Override
        public void acquireFailed(String name, Duration waited, RuntimeException failure) {
            log.add("acquireFailed " + name + " " + failure.getClass().getSimpleName());
        }

        @Override
        public void renewed(String name, long token, Duration lease) {
            log.add("renewed " + name + " " + token + " " + lease);
            renewals.incrementAndGet();
        }

        @Override
        public void released(String name, long token, boolean wasHeld) {
            log.add("released " + name);
        }

        @Override
        public void lost(String name, long token, Throwable cause) {
            log.add("lost " + name);
        }

        @Override
        public void backendFailed(String operation, String name, LockBackendException failure) {
            log.add("backendFailed " + operation + " " + name);
        }
    }

    /** Throws from every event added for metrics, and from the outcome events next to them. */
    private static final class Throwing implements LockListener {
        @Override
        public void busy(String name, Duration waited) {
            throw new IllegalStateException("listener bug: busy");
        }

        @Override
        public void timedOut(String name, Duration waited) {
            throw new IllegalStateException("listener bug: timedOut");
        }

        @Override
        public void interrupted(String name, Duration waited) {
            throw new IllegalStateException("listener bug: interrupted");
        }

        @Override
        public void acquireFailed(String name, Duration waited, RuntimeException failure) {
            throw new IllegalStateException("listener bug: acquireFailed");
        }

        @Override
        public void renewed(String name, long token, Duration lease) {
            throw new IllegalStateException("listener bug: renewed");
        }
    }

    /** The in-memory backend, counting calls and failing them on demand, with the engine's ear kept. */
    private static final class Backend extends ForwardingLockBackend {
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger extensions = new AtomicInteger();
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final AtomicReference<RuntimeException> extendFailure = new AtomicReference<>();
        /** {asking, answer}: the next acquisition says it is asking, then waits for the answer's go. */
        final AtomicReference<CountDownLatch[]> gate = new AtomicReference<>();
        volatile BackendEvents events;

        Backend() {
            super(InMemoryLockBackend.create());
        }

        @Override
        public void start(BackendEvents events) {
            this.events = events;
            super.start(events);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            CountDownLatch[] held = gate.getAndSet(null);
            if (held != null) {
                held[0].countDown();
                try {
                    held[1].await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            attempts.incrementAndGet();
            RuntimeException injected = failure.get();
            if (injected != null) {
                throw injected;
            }
            return super.tryAcquire(request);
        }

        /** The store outlives the manager, so a request on its way when the manager closes is still answered. */
        @Override
        public void close() {
        }

        LockBackend delegate() {
            return delegate;
        }

        @Override
        public boolean extend(String name, String ownerId, Duration lease) {
            RuntimeException injected = extendFailure.get();
            if (injected != null) {
                throw injected;
            }
            extensions.incrementAndGet();
            return super.extend(name, ownerId, lease);
        }
    }
}
