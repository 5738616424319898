package io.distlock.benchmarks.jdbc;

import io.distlock.LockManager;
import io.distlock.benchmarks.harness.LockClient;
import io.distlock.jdbc.JdbcLockBackend;
import io.distlock.spring.DistlockLockRegistry;
import java.util.concurrent.locks.Lock;
import javax.sql.DataSource;

/**
 * The starter's {@link DistlockLockRegistry} on the lease table, used as an application that
 * replaced its {@code JdbcLockRegistry} bean would use it: {@code obtain(key).lock()}, then
 * {@code unlock()}. One manager per client, as one per process would be.
 */
final class DistlockRegistryClient implements LockClient {
    private final LockManager locks;
    private final DistlockLockRegistry registry;

    DistlockRegistryClient(DataSource pool) {
        locks = LockManager.builder(JdbcLockBackend.builder(pool).namespace("registry").build()).build();
        registry = new DistlockLockRegistry(locks);
    }

    @Override
    public Held acquire(String name) {
        Lock lock = registry.obtain(name);
        lock.lock();
        return lock::unlock;
    }

    @Override
    public void close() {
        locks.close();
    }
}
