package io.distlock;

import io.distlock.internal.CallerNames;
import io.distlock.internal.LockEngine;
import io.distlock.spi.LockBackend;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link LockManager} every {@link LockManager.Builder} makes: the API's face of the engine, as
 * Caffeine's builder makes its cache through a package-private factory and hands out a manual-cache
 * view over it. The engine ({@code io.distlock.internal.LockEngine}) implements no API interface
 * that leads back to the engine: this class is the one place of the API that knows it, and forwards
 * to it (docs/architecture.md, rule 6). Calls without a name are resolved to the calling service
 * here, so the engine never walks the stack.
 */
final class EngineLockManager implements LockManager {
    /** The API's classes whose frames stand between a caller and the stack walk of contract 2.3. */
    static final Set<Class<?>> MANAGER_TYPES = Set.of(LockManager.class, EngineLockManager.class);

    private final LockEngine engine;

    private EngineLockManager(LockEngine engine) {
        this.engine = engine;
    }

    /** Starts the backend; the builder has checked every value. */
    static LockManager create(LockBackend backend, Duration lease, Duration waitTime, Duration retryInterval,
                              boolean reentrant, boolean autoRenew, LockListener listener, Ticker ticker) {
        return new EngineLockManager(
                new LockEngine(backend, lease, waitTime, retryInterval, reentrant, autoRenew, listener, ticker));
    }

    @Override
    public Lock acquire(String name) {
        return engine.acquire(name, LockOptions.defaults());
    }

    @Override
    public Lock acquire(String name, LockOptions options) {
        return engine.acquire(name, options);
    }

    @Override
    public Lock acquire() {
        return engine.acquire(CallerNames.callingService(MANAGER_TYPES), LockOptions.defaults());
    }

    @Override
    public Lock acquire(LockOptions options) {
        return engine.acquire(CallerNames.callingService(MANAGER_TYPES), options);
    }

    @Override
    public Optional<Lock> tryAcquire(String name) {
        return engine.tryAcquire(name, LockOptions.defaults());
    }

    @Override
    public Optional<Lock> tryAcquire(String name, LockOptions options) {
        return engine.tryAcquire(name, options);
    }

    @Override
    public Optional<Lock> tryAcquire() {
        return engine.tryAcquire(CallerNames.callingService(MANAGER_TYPES), LockOptions.defaults());
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return engine.inspect(name);
    }

    @Override
    public List<LockInfo> list(String prefix) {
        return engine.list(prefix, Integer.MAX_VALUE).locks();
    }

    @Override
    public ListPage list(String prefix, int limit) {
        return engine.list(prefix, limit);
    }

    @Override
    public boolean forceRelease(String name) {
        return engine.forceRelease(name);
    }

    @Override
    public String describe() {
        return engine.describe();
    }

    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return engine.toString();
    }
}
