package io.distlock.jdbc;

import io.distlock.ListPage;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;

import java.time.Duration;
import java.util.Optional;

/**
 * How a backend holds its locks, chosen once when it opens: {@link TableLocks} (a row per lock,
 * with a lease) or {@link SessionLocks} (a database session lock per lock, recorded in the same
 * table). The operations are the SPI's, with its meanings; a failure is already a
 * {@link io.distlock.LockBackendException}, made by {@link JdbcConnections}.
 */
interface LockStrategy {
    AcquireResult acquire(AcquireRequest request);

    boolean release(String name, String ownerId);

    boolean extend(String name, String ownerId, Duration lease);

    Optional<LockInfo> inspect(String name);

    ListPage list(String prefix, int limit);

    boolean forceRelease(String name);

    /** The engine's events are there: a strategy that watches its locks starts doing so. */
    void start(BackendEvents events);

    /** Lets go of whatever the strategy still holds; the pool is closed after. */
    void close();
}
