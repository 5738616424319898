package io.distlock.internal;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.ForwardingLockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract 2.2: a granted lock whose answer arrives after the lease it granted has run out (a
 * server frozen past the lease, then thawed) is no lock: the engine gives it back and counts the
 * attempt as busy, instead of returning a handle that is not held from its first moment.
 */
class LateAnswerTest {
    private static final Duration LEASE = Duration.ofSeconds(5);

    private final AtomicLong clock = new AtomicLong();
    private final InMemoryLockBackend store = InMemoryLockBackend.create(clock::get);
    private final AtomicInteger lateAnswersLeft = new AtomicInteger();
    private final LockManager locks = LockManager.builder(new ForwardingLockBackend(store) {
        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            AcquireResult result = delegate.tryAcquire(request);
            if (lateAnswersLeft.getAndDecrement() > 0) {
                clock.addAndGet(LEASE.plusSeconds(1).toNanos()); // the answer took longer than the lease
            }
            return result;
        }

        @Override
        public void close() {
        }
    }).ticker(clock::get).build();

    @AfterEach
    void close() {
        locks.close();
    }

    @Test
    void aTryOnceAnsweredAfterItsLeaseEndedFailsAndLeavesNoLockBehind() {
        lateAnswersLeft.set(1);
        assertThatThrownBy(() -> locks.acquire("late", LockOptions.builder().lease(LEASE).timeout(Duration.ZERO).build()))
                .isInstanceOf(LockTimeoutException.class);
        assertThat(store.inspect("late")).as("the late grant given back").isEmpty();
    }

    @Test
    void aWaitingAcquisitionTriesAgainAndGetsALockThatIsHeld() {
        lateAnswersLeft.set(1);
        try (Lock lock = locks.acquire("late", LockOptions.builder().lease(LEASE).timeout(Duration.ofSeconds(30))
                .retryInterval(Duration.ofMillis(1)).build())) {
            assertThat(lock.isHeld()).isTrue();
            assertThat(store.inspect("late")).map(info -> info.ownerId()).isPresent();
        }
    }
}
