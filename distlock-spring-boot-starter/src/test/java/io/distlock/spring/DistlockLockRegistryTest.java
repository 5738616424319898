package io.distlock.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockBackends;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviours Spring Integration's own registries are tested for that apply to a distributed
 * one (reentrant per thread, {@code tryLock} with a wait, unlock by another thread refused, a lost
 * lock reported at unlock, {@code executeLocked}, renewal), on the file backend, with two managers
 * standing for two application instances.
 */
class DistlockLockRegistryTest {
    @TempDir
    Path dir;

    private LockManager first;
    private LockManager second;
    private final ExecutorService other = Executors.newSingleThreadExecutor();

    @BeforeEach
    void managers() {
        first = LockManager.builder(LockBackends.open("file:" + dir)).build();
        second = LockManager.builder(LockBackends.open("file:" + dir)).build();
    }

    @AfterEach
    void close() {
        other.shutdownNow();
        first.close();
        second.close();
    }

    private boolean tryOnOtherThread(Lock lock) throws Exception {
        return other.submit(() -> {
            boolean got = lock.tryLock();
            if (got) {
                lock.unlock();
            }
            return got;
        }).get(30, TimeUnit.SECONDS);
    }

    @Test
    void reentrantForTheHoldingThreadAndReleasedByItsLastUnlock() throws Exception {
        DistlockLockRegistry registry = new DistlockLockRegistry(first);
        Lock lock = registry.obtain("order:1");
        lock.lock();
        assertThat(registry.obtain("order:1").tryLock()).as("the same thread again, through another view").isTrue();
        lock.unlock();
        assertThat(tryOnOtherThread(registry.obtain("order:1"))).as("another thread while one hold is left").isFalse();
        lock.unlock();
        assertThat(tryOnOtherThread(registry.obtain("order:1"))).as("another thread after the last unlock").isTrue();
    }

    @Test
    void twoInstancesExcludeEachOtherAndTryLockWaitsForTheOther() throws Exception {
        Lock mine = new DistlockLockRegistry(first).obtain("order:2");
        Lock theirs = new DistlockLockRegistry(second).obtain("order:2");
        mine.lock();
        assertThat(theirs.tryLock(50, TimeUnit.MILLISECONDS)).as("busy for the other instance").isFalse();
        CountDownLatch waiting = new CountDownLatch(1);
        Future<Boolean> got = other.submit(() -> {
            waiting.countDown();
            boolean locked = theirs.tryLock(30, TimeUnit.SECONDS);
            if (locked) {
                theirs.unlock();
            }
            return locked;
        });
        waiting.await();
        mine.unlock();
        assertThat(got.get(30, TimeUnit.SECONDS)).as("the waiting instance gets it after the unlock").isTrue();
    }

    @Test
    void unlockByAThreadThatDoesNotHoldItIsRefusedAndLeavesItHeld() throws Exception {
        DistlockLockRegistry registry = new DistlockLockRegistry(first);
        Lock lock = registry.obtain("order:3");
        lock.lock();
        Future<?> foreign = other.submit(() -> registry.obtain("order:3").unlock());
        assertThatThrownBy(() -> foreign.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalMonitorStateException.class);
        assertThat(first.inspect("order:3")).as("still held").isPresent();
        lock.unlock();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
    }

    @Test
    void aLockLostMeanwhileIsReportedAtUnlock() {
        Lock lock = new DistlockLockRegistry(first).obtain("order:4");
        lock.lock();
        assertThat(second.forceRelease("order:4")).isTrue();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalStateException.class).hasMessageContaining("order:4");
        assertThat(new DistlockLockRegistry(second).obtain("order:4").tryLock()).as("free afterwards").isTrue();
    }

    @Test
    void executeLockedRunsUnderTheLock() throws Throwable {
        DistlockLockRegistry registry = new DistlockLockRegistry(first);
        // Object: on Spring Integration 7 the registry is a raw (ungeneric) LockRegistry.
        Object seen = registry.executeLocked("order:5", () -> second.inspect("order:5").map(LockInfo::name).orElse("free"));
        assertThat(seen).isEqualTo("order:5");
        assertThat(second.inspect("order:5")).as("released after the task").isEmpty();
    }

    @Test
    void renewLockExtendsTheHeldLeaseAndIsRefusedToOthers() throws Exception {
        DistlockLockRegistry registry = new DistlockLockRegistry(first, Duration.ofSeconds(30));
        Lock lock = registry.obtain("order:6");
        lock.lock();
        Instant before = first.inspect("order:6").orElseThrow().expiresAt();
        registry.renewLock("order:6", Duration.ofMinutes(10));
        assertThat(first.inspect("order:6").orElseThrow().expiresAt()).isAfter(before.plus(Duration.ofMinutes(5)));
        Future<?> foreign = other.submit(() -> registry.renewLock("order:6"));
        assertThatThrownBy(() -> foreign.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalMonitorStateException.class);
        lock.unlock();
    }

    @Test
    void lockInterruptiblyEndsItsWaitOnAnInterrupt() throws Exception {
        Lock held = new DistlockLockRegistry(first).obtain("order:7");
        held.lock();
        Lock waiting = new DistlockLockRegistry(second).obtain("order:7");
        CompletableFuture<Thread> waiter = new CompletableFuture<>();
        Future<?> wait = other.submit(() -> {
            waiter.complete(Thread.currentThread());
            waiting.lockInterruptibly();
            return null;
        });
        Thread thread = waiter.get(30, TimeUnit.SECONDS);
        thread.interrupt();
        assertThatThrownBy(() -> wait.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(InterruptedException.class);
        held.unlock();
        assertThat(second.inspect("order:7")).as("the interrupted wait left no lock behind").isEmpty();
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> new DistlockLockRegistry(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DistlockLockRegistry(first, Duration.ZERO)).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> new DistlockLockRegistry(first).obtain(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DistlockLockRegistry(first).obtain("x").newCondition())
                .isInstanceOf(UnsupportedOperationException.class);
    }
}
