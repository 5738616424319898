package io.distlock.internal;

import io.distlock.Lock;
import io.distlock.LockListener;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.ForwardingLockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract 6.2: a failure after the backend granted a lock, before the caller has its handle, gives
 * the lock back before it is reported. The failure here is the manager's clock, which the engine
 * reads after every grant (to judge a late answer, and to tell a listener how long the wait took):
 * a backend wrapper arms it to throw at one of those reads.
 */
class FailureAfterGrantTest {
    private final InMemoryLockBackend store = InMemoryLockBackend.create();
    /** Reads of the clock left before it throws; negative while disarmed. */
    private final AtomicInteger readsBeforeFailure = new AtomicInteger(-1);
    private final AtomicInteger grants = new AtomicInteger();
    private LockManager locks;

    @AfterEach
    void close() {
        locks.close();
    }

    private LockManager managerFailingAfter(int reads, LockListener listener) {
        return LockManager.builder(new ForwardingLockBackend(store) {
            @Override
            public AcquireResult tryAcquire(AcquireRequest request) {
                AcquireResult result = delegate.tryAcquire(request);
                if (result.isAcquired()) {
                    grants.incrementAndGet();
                    readsBeforeFailure.set(reads);
                }
                return result;
            }

            @Override
            public void close() {
            }
        }).ticker(() -> {
            if (readsBeforeFailure.getAndUpdate(left -> left < 0 ? left : left - 1) == 0) {
                throw new IllegalStateException("the clock broke after the grant");
            }
            return System.nanoTime();
        }).listener(listener).build();
    }

    /** 0: the read that judges a late answer; 1: the read that times the wait for the listener. */
    @ParameterizedTest(name = "the clock fails at read {0} after the grant")
    @ValueSource(ints = {0, 1})
    void theGrantIsGivenBackBeforeTheFailureIsReported(int reads) {
        locks = managerFailingAfter(reads, new LockListener() {
        });
        for (LockOptions options : new LockOptions[] {LockOptions.tryOnce(),
                LockOptions.builder().timeout(Duration.ofSeconds(5)).build()}) {
            int grantsBefore = grants.get();
            assertThatThrownBy(() -> locks.acquire("granted-then-failed", options))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("clock broke");
            assertThat(grants.get()).as("the backend granted the lock").isEqualTo(grantsBefore + 1);
            assertThat(store.inspect("granted-then-failed")).as("the name is free afterwards").isEmpty();
        }
        readsBeforeFailure.set(-1);
        try (LockManager other = LockManager.builder(store).build()) {
            Optional<Lock> lock = other.tryAcquire("granted-then-failed");
            assertThat(lock).as("another manager gets it at once").isPresent();
            lock.get().release();
        }
    }
}
