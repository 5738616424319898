package io.distlock.micrometer;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockConflictException;
import io.distlock.LockInterruptedException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.testkit.Eventually;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DistlockMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Observed backend = new Observed();
    private LockManager locks;

    private LockManager manager(DistlockMetrics metrics) {
        locks = LockManager.builder(backend).defaultTimeout(Duration.ofMillis(50)).listener(metrics).build();
        return locks;
    }

    @AfterEach
    void close() {
        if (locks != null) {
            locks.close();
        }
    }

    @Test
    void everyAcquisitionIsTimedOnceByItsResultAndHeldLocksAreActiveTasks() throws Exception {
        LockManager locks = manager(DistlockMetrics.builder(registry).backend("memory").build());
        Lock first = locks.acquire("account:1");
        LongTaskTimer heldTimer = registry.get(DistlockMetrics.HELD).tag("backend", "memory").longTaskTimer();
        assertThat(heldTimer.activeTasks()).isEqualTo(1);
        // busy: every way of not waiting for a held lock
        assertThat(locks.tryAcquire("account:1")).isEmpty();
        assertThatThrownBy(() -> locks.acquire("account:1", LockOptions.tryOnce())).isInstanceOf(LockTimeoutException.class);
        assertThatThrownBy(() -> locks.acquire("account:1", LockOptions.builder().conflictMode().build()))
                .isInstanceOf(LockConflictException.class);
        // timed_out: a wait that ran out (the manager's default wait here is 50 ms)
        assertThatThrownBy(() -> locks.acquire("account:1")).isInstanceOf(LockTimeoutException.class);
        // interrupted: a waiter interrupted once it has asked the backend
        int asked = backend.attempts.get();
        AtomicReference<Thread> waiter = new AtomicReference<>();
        CompletableFuture<Lock> waiting = CompletableFuture.supplyAsync(() -> {
            waiter.set(Thread.currentThread());
            return locks.acquire("account:1", LockOptions.builder().timeout(Duration.ofSeconds(30)).build());
        });
        Eventually.until("the waiter asked", Duration.ofSeconds(10), () -> backend.attempts.get() > asked);
        waiter.get().interrupt();
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(LockInterruptedException.class);
        // failed: the backend fails
        backend.failAcquire.set(true);
        assertThatThrownBy(() -> locks.acquire("account:2")).isInstanceOf(LockBackendException.class);
        backend.failAcquire.set(false);
        first.close();
        assertThat(heldTimer.activeTasks()).isZero();
        locks.acquire("account:2").close();

        assertThat(count("acquired")).isEqualTo(2);
        assertThat(count("busy")).isEqualTo(3);
        assertThat(count("timed_out")).isEqualTo(1);
        assertThat(count("interrupted")).isEqualTo(1);
        assertThat(count("failed")).isEqualTo(1);
        assertThat(registry.find(DistlockMetrics.ACQUIRE).timers()).as("no other result").hasSize(5);
        assertThat(registry.get(DistlockMetrics.ACQUIRE).tag("result", "timed_out").timer()
                .totalTime(TimeUnit.MILLISECONDS)).as("the time waited").isGreaterThanOrEqualTo(50);
        assertThat(registry.get(DistlockMetrics.ACQUIRE).tag("result", "interrupted").timer()
                .totalTime(TimeUnit.NANOSECONDS)).isPositive();
        assertThat(registry.get(DistlockMetrics.BACKEND_FAILURES).tag("operation", "acquire").counter().count())
                .isEqualTo(1);
        // No lock tag unless asked for: lock names are unbounded.
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getTag("lock")).as(meter.getId().toString()).isNull();
            assertThat(meter.getId().getTag("backend")).as(meter.getId().toString()).isEqualTo("memory");
        }
    }

    @Test
    void everyMeterWithKnownTagsIsThereAtZeroBeforeTheFirstEvent() {
        SimpleMeterRegistry fresh = new SimpleMeterRegistry();
        DistlockMetrics.builder(fresh).backend("file").build();
        for (String counter : new String[] {DistlockMetrics.RENEWALS, DistlockMetrics.LOSSES,
                DistlockMetrics.SUSPENSIONS, DistlockMetrics.RESTORATIONS}) {
            assertThat(fresh.get(counter).tag("backend", "file").counter().count()).as(counter).isZero();
        }
        for (String result : new String[] {"acquired", "busy", "timed_out", "interrupted", "failed"}) {
            assertThat(fresh.get(DistlockMetrics.ACQUIRE).tag("result", result).timer().count()).as(result).isZero();
        }
    }

    @Test
    void renewalsAreCountedAutomaticAndExplicit() {
        LockManager locks = manager(DistlockMetrics.builder(registry).backend("memory").build());
        Lock renewing = locks.acquire("job", LockOptions.builder().lease(Duration.ofMillis(300)).autoRenew(true).build());
        Eventually.until("two automatic renewals counted", Duration.ofSeconds(10), () -> {
            Counter renewals = registry.find(DistlockMetrics.RENEWALS).counter();
            return renewals != null && renewals.count() >= 2;
        });
        renewing.close();
        double automatic = registry.get(DistlockMetrics.RENEWALS).counter().count();
        Lock explicit = locks.acquire("other");
        explicit.extend(Duration.ofMinutes(1));
        explicit.close();
        assertThat(registry.get(DistlockMetrics.RENEWALS).tag("backend", "memory").counter().count())
                .isEqualTo(automatic + 1);
    }

    @Test
    void reentrantHoldsOfOneAcquisitionAreOneHeldLock() {
        LockManager locks = manager(DistlockMetrics.builder(registry).backend("memory").build());
        LockOptions reentrant = LockOptions.builder().reentrant(true).build();
        Lock outer = locks.acquire("batch", reentrant);
        Lock inner = locks.acquire("batch", reentrant);
        LongTaskTimer heldTimer = registry.get(DistlockMetrics.HELD).longTaskTimer();
        assertThat(heldTimer.activeTasks()).isEqualTo(1);
        inner.close();
        assertThat(heldTimer.activeTasks()).isEqualTo(1);
        outer.close();
        assertThat(heldTimer.activeTasks()).isZero();
        // Re-entering a lock this thread holds asks no backend: the engine reports one acquisition.
        assertThat(count("acquired")).isEqualTo(1);
    }

    @Test
    void suspensionsRestorationsAndLossesAreCounted() {
        LockManager locks = manager(DistlockMetrics.builder(registry).backend("memory").build());
        Lock lock = locks.acquire("job");
        backend.events.connectionLost(new IllegalStateException("blip"));
        assertThat(lock.isHeld()).isFalse();
        assertThat(registry.get(DistlockMetrics.SUSPENSIONS).counter().count()).isEqualTo(1);
        backend.events.connectionRestored();
        // The restore runs on the renewal thread, which makes the lock held before it tells the
        // listener: wait for the count itself, not for isHeld().
        Eventually.until("the restoration is counted", Duration.ofSeconds(10), () -> {
            Counter restorations = registry.find(DistlockMetrics.RESTORATIONS).counter();
            return restorations != null && restorations.count() == 1;
        });
        assertThat(lock.isHeld()).isTrue();

        assertThat(locks.forceRelease("job")).isTrue();
        assertThat(lock.verify()).isFalse();
        assertThat(registry.get(DistlockMetrics.LOSSES).counter().count()).isEqualTo(1);
        assertThat(registry.get(DistlockMetrics.HELD).longTaskTimer().activeTasks()).isZero();
    }

    @Test
    void anOptInMapsLockNamesToABoundedTag() {
        LockManager locks = manager(DistlockMetrics.builder(registry).backend("memory")
                .lockNameTag(DistlockMetrics.prefixBefore(':')).build());
        for (int account = 0; account < 5; account++) {
            locks.acquire("account:" + account).close();
        }
        locks.acquire("nightly").close();
        assertThat(registry.get(DistlockMetrics.ACQUIRE).tag("lock", "account").tag("result", "acquired")
                .timer().count()).isEqualTo(5);
        assertThat(registry.get(DistlockMetrics.ACQUIRE).tag("lock", "nightly").timer().count()).isEqualTo(1);
        assertThat(registry.find(DistlockMetrics.ACQUIRE).timers()).hasSize(2);
    }

    @Test
    void badSettingsNameTheValue() {
        assertThatThrownBy(() -> DistlockMetrics.builder(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("registry");
        assertThatThrownBy(() -> DistlockMetrics.builder(registry).backend(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backend");
        assertThatThrownBy(() -> DistlockMetrics.builder(registry).lockNameTag(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lockNameTag");
    }

    private double count(String result) {
        return registry.get(DistlockMetrics.ACQUIRE).tag("backend", "memory").tag("result", result).timer().count();
    }

    /** The in-memory backend, with its engine's ear kept for the test and acquire failures on demand. */
    private static final class Observed extends ForwardingLockBackend {
        final AtomicBoolean failAcquire = new AtomicBoolean();
        final AtomicInteger attempts = new AtomicInteger();
        volatile BackendEvents events;

        Observed() {
            super(InMemoryLockBackend.create());
        }

        @Override
        public void start(BackendEvents events) {
            this.events = events;
            super.start(events);
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            attempts.incrementAndGet();
            if (failAcquire.get()) {
                throw new IllegalStateException("injected failure");
            }
            return super.tryAcquire(request);
        }
    }
}
