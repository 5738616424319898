package io.distlock.spi;

import io.distlock.ListPage;
import io.distlock.LockInfo;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A backend that passes every call to another one, for decorators (metrics, logging, fault
 * injection in tests): a subclass overrides only the methods it observes, shares or breaks.
 * The engine lists through {@link #list(String, int)}: that is the one to override to observe
 * {@code list}.
 */
public abstract class ForwardingLockBackend implements LockBackend {
    protected final LockBackend delegate;

    protected ForwardingLockBackend(LockBackend delegate) {
        this.delegate = delegate;
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
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
    public HandOverResult handOver(String ownerId, AcquireRequest next) {
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
    public ListPage list(String prefix, int limit) {
        return delegate.list(prefix, limit);
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
