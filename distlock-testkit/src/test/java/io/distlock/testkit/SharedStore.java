package io.distlock.testkit;

import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.LockBackend;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Lets several managers share one in-JVM backend, as managers in different processes share a
 * server: closing a manager must not wipe the store the others still use.
 */
final class SharedStore implements LockBackend {
    private final LockBackend store;

    SharedStore(LockBackend store) {
        this.store = store;
    }

    @Override
    public OptionalLong tryAcquire(AcquireRequest request) {
        return store.tryAcquire(request);
    }

    @Override
    public boolean release(String name, String ownerId) {
        return store.release(name, ownerId);
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        return store.extend(name, ownerId, lease);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return store.inspect(name);
    }

    @Override
    public List<LockInfo> list(String prefix) {
        return store.list(prefix);
    }

    @Override
    public boolean forceRelease(String name) {
        return store.forceRelease(name);
    }

    @Override
    public String describe() {
        return store.describe();
    }

    @Override
    public void close() {
        // The store outlives each manager, like a server.
    }
}
