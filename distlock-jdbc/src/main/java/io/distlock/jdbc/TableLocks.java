package io.distlock.jdbc;

import io.distlock.ListPage;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;

import java.time.Duration;
import java.util.Optional;

/**
 * The table strategy (the default): a lock is its row in the lease table and lasts as long as its
 * lease, whatever happens to connections. Every operation is one unit of work on a pooled
 * connection ({@link LeaseTable} has the statements); all but an acquisition are tried once more
 * on a connection the server had closed.
 */
final class TableLocks implements LockStrategy {
    private final JdbcConnections connections;
    private final LeaseTable table;

    TableLocks(JdbcConnections connections, LeaseTable table) {
        this.connections = connections;
        this.table = table;
    }

    @Override
    public AcquireResult acquire(AcquireRequest request) {
        return connections.call("acquire", request.name(), false, connection -> table.acquire(connection, request));
    }

    @Override
    public boolean release(String name, String ownerId) {
        return connections.call("release", name, true, connection -> table.release(connection, name, ownerId));
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        return connections.call("extend", name, true, connection -> table.extend(connection, name, ownerId, lease));
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return connections.call("inspect", name, true, connection -> table.inspect(connection, name));
    }

    @Override
    public ListPage list(String prefix, int limit) {
        return connections.call("list", prefix, true, connection -> table.list(connection, prefix, limit, row -> row));
    }

    @Override
    public boolean forceRelease(String name) {
        return connections.call("forceRelease", name, true, connection -> table.forceRelease(connection, name));
    }

    @Override
    public void start(BackendEvents events) {
        // A row needs no watching: its lease is the database's to judge.
    }

    @Override
    public void close() {
        // Nothing held outside the table.
    }
}
