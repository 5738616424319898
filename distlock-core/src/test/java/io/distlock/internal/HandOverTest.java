package io.distlock.internal;

import io.distlock.spi.ForwardingLockBackend;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.LockInterruptedException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.Ticker;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.HandOverResult;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's hand-over: a release in one manager passes the lock straight to that manager's
 * waiting thread (LockBackend#handOver), and every way that can go sideways: the waiter is
 * interrupted while the hand-over is in flight, the releasing lease had expired, the backend fails.
 */
class HandOverTest {
    /** Waits long enough that only a wake-up, never a poll, can end a wait within a test. */
    private static final LockOptions PATIENT = LockOptions.builder()
            .timeout(Duration.ofSeconds(60)).retryInterval(Duration.ofSeconds(30)).build();
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final List<LockManager> managers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        managers.forEach(LockManager::close);
        for (Thread thread : threads) {
            thread.interrupt();
            thread.join(PATIENCE.toMillis());
        }
    }

    @Test
    void aReleasePassesTheLockToTheWaitingThreadOfItsManagerInOneCall() throws Exception {
        Counting backend = new Counting(new Shared(InMemoryLockBackend.create()));
        LockManager locks = manager(LockManager.builder(backend));
        Lock first = locks.acquire("account:1");
        Waiter next = waiter("next-holder", () -> locks.acquire("account:1", PATIENT));
        awaitParked(next);

        assertThat(first.release()).isTrue();

        Lock handed = next.lock(PATIENCE);
        assertThat(backend.handOvers.get()).as("hand-overs").isEqualTo(1);
        assertThat(backend.acquires.get()).as("tries: the first holder's, and the waiter's busy one").isEqualTo(2);
        assertThat(handed.token()).isGreaterThan(first.token());
        assertThat(handed.isHeld()).isTrue();
        LockInfo holder = locks.inspect("account:1").orElseThrow();
        assertThat(holder.thread()).isEqualTo("next-holder");
        assertThat(holder.token()).isEqualTo(handed.token());
        assertThat(handed.release()).isTrue();
        assertThat(locks.inspect("account:1")).isEmpty();
    }

    @Test
    void aHandedLockCarriesTheWaitersOwnOptionsRenewalAndReentrancy() throws Exception {
        Counting backend = new Counting(new Shared(InMemoryLockBackend.create()));
        LockManager locks = manager(LockManager.builder(backend));
        Lock first = locks.acquire("account:5");
        LockOptions renewedReentrant = LockOptions.builder().timeout(Duration.ofSeconds(60))
                .retryInterval(Duration.ofSeconds(30)).lease(Duration.ofMillis(300)).autoRenew(true).reentrant(true)
                .build();
        AtomicReference<Lock> again = new AtomicReference<>();
        Waiter next = waiter("renewing-waiter", () -> {
            Lock handed = locks.acquire("account:5", renewedReentrant);
            again.set(locks.acquire("account:5", renewedReentrant));
            return handed;
        });
        awaitParked(next);

        assertThat(first.release()).isTrue();

        Lock handed = next.lock(PATIENCE);
        assertThat(backend.handOvers.get()).isEqualTo(1);
        assertThat(again.get().token()).as("reentered on the waiter's thread").isEqualTo(handed.token());
        until("the handed lock's 300 ms lease renewed twice", PATIENCE, () -> backend.renewals.get() >= 2);
        assertThat(handed.isHeld()).isTrue();
        assertThat(again.get().release()).as("one of two holds").isTrue();
        assertThat(locks.inspect("account:5")).as("still held by the other hold").isPresent();
        assertThat(handed.release()).isTrue();
        assertThat(locks.inspect("account:5")).isEmpty();
    }

    @Test
    void aWaiterInterruptedWhileTheLockIsHandedToItLeavesNoLockBehind() throws Exception {
        GatedHandOver backend = new GatedHandOver(new Shared(InMemoryLockBackend.create()));
        LockManager locks = manager(LockManager.builder(backend));
        Lock first = locks.acquire("account:2");
        Waiter next = waiter("interrupted-waiter", () -> locks.acquire("account:2", PATIENT));
        awaitParked(next);
        Waiter releaser = waiter("releaser", () -> {
            assertThat(first.release()).isTrue();
            return null;
        });
        assertThat(backend.entered.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("hand-over started").isTrue();

        next.thread.interrupt();
        // The waiter now gives up but must wait for the hand-over in flight, whose lock is its own.
        awaitInStack(next, "withdraw");
        backend.proceed.countDown();

        releaser.lock(PATIENCE);
        assertThat(next.failure(PATIENCE)).isInstanceOf(LockInterruptedException.class);
        assertThat(next.interruptedAtEnd).as("interrupt status kept").isTrue();
        assertThat(locks.inspect("account:2")).as("the handed lock was given back").isEmpty();
        assertThat(locks.tryAcquire("account:2")).isPresent();
    }

    @Test
    void aHandOverOfALeaseThatHadExpiredReportsItAndTheWaiterTriesAtOnce() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000_000L);
        Ticker ticker = now::get;
        Counting backend = new Counting(new Shared(InMemoryLockBackend.create(ticker)));
        LockManager locks = manager(LockManager.builder(backend).ticker(ticker));
        Lock first = locks.acquire("account:3", LockOptions.builder().lease(Duration.ofSeconds(1)).build());
        Waiter next = waiter("after-expiry", () -> locks.acquire("account:3", PATIENT));
        awaitParked(next);
        now.addAndGet(Duration.ofSeconds(2).toNanos());

        assertThat(first.release()).as("the lease had lapsed before the release").isFalse();

        Lock got = next.lock(PATIENCE);
        assertThat(backend.handOvers.get()).isEqualTo(1);
        assertThat(got.token()).isGreaterThan(first.token());
        assertThat(locks.inspect("account:3").orElseThrow().thread()).isEqualTo("after-expiry");
    }

    @Test
    void aFailedHandOverFreesTheLockAndTheWaiterTakesIt() throws Exception {
        LockBackend backend = new ForwardingLockBackend(new Shared(InMemoryLockBackend.create())) {
            @Override
            public HandOverResult handOver(String ownerId, AcquireRequest next) {
                throw new LockBackendException("connection reset during hand-over");
            }
        };
        LockManager locks = manager(LockManager.builder(backend));
        Lock first = locks.acquire("account:4");
        Waiter next = waiter("after-failure", () -> locks.acquire("account:4", PATIENT));
        awaitParked(next);

        assertThat(first.release()).as("a failed hand-over is reported like a failed release").isFalse();

        Lock got = next.lock(PATIENCE);
        assertThat(got.isHeld()).isTrue();
        assertThat(locks.inspect("account:4").orElseThrow().thread()).isEqualTo("after-failure");
    }

    // ---------------------------------------------------------------- helpers

    private LockManager manager(LockManager.Builder builder) {
        LockManager manager = builder.build();
        managers.add(manager);
        return manager;
    }

    private Waiter waiter(String name, java.util.concurrent.Callable<Lock> body) {
        Waiter waiter = new Waiter(name, body);
        threads.add(waiter.thread);
        waiter.thread.start();
        return waiter;
    }

    /** The waiter has queued and parked (a timed park: it waits with a 30 s retry interval). */
    private static void awaitParked(Waiter waiter) {
        until("waiter " + waiter.thread.getName() + " parked in the engine", PATIENCE,
                () -> waiter.thread.getState() == Thread.State.TIMED_WAITING && inStack(waiter, "awaitRelease"));
    }

    private static void awaitInStack(Waiter waiter, String method) {
        until("waiter " + waiter.thread.getName() + " in " + method, PATIENCE, () -> inStack(waiter, method));
    }

    private static boolean inStack(Waiter waiter, String method) {
        return Arrays.stream(waiter.thread.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals(method));
    }

    /** A thread of the test's own, so its state and stack can be watched. */
    private static final class Waiter {
        final Thread thread;
        private final AtomicReference<Lock> lock = new AtomicReference<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final CountDownLatch done = new CountDownLatch(1);
        volatile boolean interruptedAtEnd;

        Waiter(String name, java.util.concurrent.Callable<Lock> body) {
            thread = new Thread(() -> {
                try {
                    lock.set(body.call());
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    interruptedAtEnd = Thread.currentThread().isInterrupted();
                    done.countDown();
                }
            }, name);
        }

        Lock lock(Duration within) throws Exception {
            await(within);
            if (failure.get() != null) {
                throw new AssertionError(thread.getName() + " failed", failure.get());
            }
            return lock.get();
        }

        Throwable failure(Duration within) throws InterruptedException {
            await(within);
            return failure.get();
        }

        private void await(Duration within) throws InterruptedException {
            assertThat(done.await(within.toMillis(), TimeUnit.MILLISECONDS)).as(thread.getName() + " finished").isTrue();
        }
    }

    /** Polls {@code condition} until it holds, failing with {@code what} after {@code within}. */
    private static void until(String what, Duration within, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("not within " + within + ": " + what).isNegative();
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
        }
    }

    /** One in-JVM store that several managers share, as processes share a server: closing one keeps it. */
    private static final class Shared extends ForwardingLockBackend {
        Shared(LockBackend store) {
            super(store);
        }

        @Override
        public void close() {
        }
    }

    /** Counts the calls a hand-over test asserts on, on the backend's answer. */
    private static final class Counting extends ForwardingLockBackend {
        final AtomicInteger acquires = new AtomicInteger();
        final AtomicInteger handOvers = new AtomicInteger();
        final AtomicInteger renewals = new AtomicInteger();

        Counting(LockBackend delegate) {
            super(delegate);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            AcquireResult result = delegate.tryAcquire(request);
            acquires.incrementAndGet();
            return result;
        }

        @Override
        public HandOverResult handOver(String ownerId, AcquireRequest next) {
            handOvers.incrementAndGet();
            return delegate.handOver(ownerId, next);
        }

        @Override
        public boolean extend(String name, String ownerId, Duration lease) {
            renewals.incrementAndGet();
            return delegate.extend(name, ownerId, lease);
        }
    }

    /** Holds every hand-over at its start until the test lets it go on. */
    private static final class GatedHandOver extends ForwardingLockBackend {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch proceed = new CountDownLatch(1);

        GatedHandOver(LockBackend delegate) {
            super(delegate);
        }

        @Override
        public HandOverResult handOver(String ownerId, AcquireRequest next) {
            entered.countDown();
            try {
                if (!proceed.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new LockBackendException("the test never let the hand-over proceed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LockBackendException("interrupted", e);
            }
            return delegate.handOver(ownerId, next);
        }
    }
}
