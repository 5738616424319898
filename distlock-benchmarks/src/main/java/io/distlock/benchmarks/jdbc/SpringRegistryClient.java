package io.distlock.benchmarks.jdbc;

import io.distlock.benchmarks.harness.LockClient;
import org.springframework.integration.jdbc.lock.DefaultLockRepository;
import org.springframework.integration.jdbc.lock.JdbcLockRegistry;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import javax.sql.DataSource;
import java.util.concurrent.locks.Lock;

/**
 * Spring Integration's {@link JdbcLockRegistry} with its defaults (10 s time to live, 100 ms between
 * tries, region DEFAULT), wired by hand as a Spring context would: its repository on the same pool,
 * with a {@link DataSourceTransactionManager}, its lifecycle callbacks called in order. One registry
 * per client (its client id is per repository, as one per process would be).
 */
final class SpringRegistryClient implements LockClient {
    /** Where Spring Integration ships the INT_LOCK table's DDL (with its message store's). */
    static final String SCHEMA = "org/springframework/integration/jdbc/schema-postgresql.sql";

    private final DefaultLockRepository repository;
    private final JdbcLockRegistry registry;

    SpringRegistryClient(DataSource pool) {
        repository = new DefaultLockRepository(pool);
        repository.setTransactionManager(new DataSourceTransactionManager(pool));
        repository.afterPropertiesSet();
        repository.afterSingletonsInstantiated();
        repository.start();
        registry = new JdbcLockRegistry(repository);
    }

    @Override
    public Held acquire(String name) {
        Lock lock = registry.obtain(name);
        lock.lock();
        return lock::unlock;
    }

    @Override
    public void close() {
        repository.stop();
    }
}
