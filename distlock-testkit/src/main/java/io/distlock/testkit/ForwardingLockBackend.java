package io.distlock.testkit;

import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.LockBackend;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A backend that passes every call to another one: tests and benchmarks override only the method
 * they observe, share or break.
 */
public abstract class ForwardingLockBackend implements LockBackend {
    protected final LockBackend delegate;

    protected ForwardingLockBackend(LockBackend delegate) {
        this.delegate = delegate;
    }

    @Override
    public OptionalLong tryAcquire(AcquireRequest request) {
        return delegate.tryAcquire(request);
    }

    @Override
    public boolean release(String name, String ownerId) {
        return delegate.release(name, ownerId);
    }

    @Override
    public boolean supportsHandOver() {
        return delegate.supportsHandOver();
    }

    @Override
    public long handOver(String ownerId, AcquireRequest next) {
        return delegate.handOver(ownerId, next);
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        return delegate.extend(name, ownerId, lease);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return delegate.inspect(name);
    }

    @Override
    public List<LockInfo> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public boolean forceRelease(String name) {
        return delegate.forceRelease(name);
    }

    @Override
    public void start(BackendEvents events) {
        delegate.start(events);
    }

    @Override
    public String describe() {
        return delegate.describe();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
