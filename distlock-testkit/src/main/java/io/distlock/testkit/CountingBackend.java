package io.distlock.testkit;

import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.HandOverResult;
import io.distlock.spi.LockBackend;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Wraps a backend and counts the calls the engine makes, so the kit can assert round trips
 * (no polling storm, no round trip for {@code isHeld()}). Optionally runs a hook inside
 * {@code tryAcquire} to simulate latency on a test-driven clock.
 */
public final class CountingBackend extends ForwardingLockBackend {
    /** tryAcquire calls the backend has answered (counted on return, so none is still in flight). */
    public final AtomicInteger acquires = new AtomicInteger();
    /** Wall-clock nanoseconds spent inside the backend's tryAcquire, summed over every call. */
    public final java.util.concurrent.atomic.AtomicLong acquireNanos = new java.util.concurrent.atomic.AtomicLong();
    /** {@code System.nanoTime()} when the last tryAcquire answered. */
    public final java.util.concurrent.atomic.AtomicLong lastAcquireAnsweredAt = new java.util.concurrent.atomic.AtomicLong();
    public final AtomicInteger releases = new AtomicInteger();
    /** handOver calls: a release that passed the lock to a waiting thread of the same manager. */
    public final AtomicInteger handOvers = new AtomicInteger();
    public final AtomicInteger extensions = new AtomicInteger();
    public final AtomicInteger inspects = new AtomicInteger();
    private volatile Runnable duringAcquire = () -> { };

    public CountingBackend(LockBackend delegate) {
        super(delegate);
    }

    public void duringAcquire(Runnable hook) {
        this.duringAcquire = hook;
    }

    public int total() {
        return acquires.get() + releases.get() + handOvers.get() + extensions.get() + inspects.get();
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        // Counted once the backend has answered: "n tries" then means n answers the engine has seen.
        long start = System.nanoTime();
        AcquireResult result = delegate.tryAcquire(request);
        long answered = System.nanoTime();
        acquireNanos.addAndGet(answered - start);
        lastAcquireAnsweredAt.set(answered);
        acquires.incrementAndGet();
        duringAcquire.run();
        return result;
    }

    @Override
    public boolean release(String name, String ownerId) {
        releases.incrementAndGet();
        return delegate.release(name, ownerId);
    }

    @Override
    public HandOverResult handOver(String ownerId, AcquireRequest next) {
        handOvers.incrementAndGet();
        return delegate.handOver(ownerId, next);
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        extensions.incrementAndGet();
        return delegate.extend(name, ownerId, lease);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        inspects.incrementAndGet();
        return delegate.inspect(name);
    }
}
