package io.distlock.benchmarks.jdbc;

import io.distlock.benchmarks.harness.LockClient;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lease table's two PostgreSQL statements written out by hand, on the same pool as distlock:
 * the upsert that returns the token, and the owner-checked release that notifies. What an
 * application that wrote its own lock on distlock's table would do, and no more: no engine, no
 * query timeout, no waiting (used only where the lock is never busy).
 */
final class RawLeaseClient implements LockClient {
    private static final String NOW = "(extract(epoch from statement_timestamp()) * 1000)::bigint";
    private static final String ACQUIRE = "INSERT INTO distlock_locks AS l"
            + " (ns, name, owner, token, host, pid, thread, acquired_at, expires_at)"
            + " VALUES (?, ?, ?, nextval('distlock_locks_token_seq'), ?, ?, ?, ?, " + NOW + " + ?)"
            + " ON CONFLICT (ns, name) DO UPDATE SET owner = EXCLUDED.owner, token = nextval('distlock_locks_token_seq'),"
            + " host = EXCLUDED.host, pid = EXCLUDED.pid, thread = EXCLUDED.thread,"
            + " acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at"
            + " WHERE l.expires_at <= " + NOW + " RETURNING l.token";
    private static final String RELEASE = "WITH r AS (UPDATE distlock_locks SET expires_at = " + NOW
            + " WHERE ns = ? AND name = ? AND owner = ? AND expires_at > " + NOW + " RETURNING name)"
            + " SELECT pg_notify('distlock_locks_released', ? || ' ' || encode(r.name, 'hex')) FROM r";
    /** The same release without the notification, to tell what NOTIFY costs. */
    private static final String RELEASE_QUIETLY = "UPDATE distlock_locks SET expires_at = " + NOW
            + " WHERE ns = ? AND name = ? AND owner = ? AND expires_at > " + NOW;
    private static final String NAMESPACE = "raw";
    private static final long LEASE_MILLIS = 30_000;

    private final Connections pool;
    private final boolean notify;
    private final String host;
    private final long pid = ProcessHandle.current().pid();
    private final String prefix = UUID.randomUUID() + "-";
    private final AtomicLong owners = new AtomicLong();

    /** Where each statement gets its connection (and gives it back on close); closed with the client if closeable. */
    @FunctionalInterface
    interface Connections {
        Connection get() throws SQLException;
    }

    RawLeaseClient(DataSource pool, boolean notify) throws UnknownHostException {
        this(pool::getConnection, notify);
    }

    RawLeaseClient(Connections pool, boolean notify) throws UnknownHostException {
        this.pool = pool;
        this.notify = notify;
        this.host = InetAddress.getLocalHost().getHostName();
    }

    @Override
    public Held acquire(String name) throws Exception {
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        String owner = prefix + owners.incrementAndGet();
        try (Connection connection = pool.get();
             PreparedStatement statement = connection.prepareStatement(ACQUIRE)) {
            statement.setString(1, NAMESPACE);
            statement.setBytes(2, key);
            statement.setString(3, owner);
            statement.setString(4, host);
            statement.setLong(5, pid);
            statement.setString(6, Thread.currentThread().getName());
            statement.setLong(7, System.currentTimeMillis());
            statement.setLong(8, LEASE_MILLIS);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new IllegalStateException("raw baseline found '" + name + "' busy; it only runs uncontended");
                }
            }
        }
        return () -> {
            try (Connection connection = pool.get();
                 PreparedStatement statement = connection.prepareStatement(notify ? RELEASE : RELEASE_QUIETLY)) {
                statement.setString(1, NAMESPACE);
                statement.setBytes(2, key);
                statement.setString(3, owner);
                boolean released;
                if (notify) {
                    statement.setString(4, NAMESPACE);
                    try (ResultSet rows = statement.executeQuery()) {
                        released = rows.next();
                    }
                } else {
                    released = statement.executeUpdate() == 1;
                }
                if (!released) {
                    throw new IllegalStateException("raw baseline no longer held '" + name + "'");
                }
            }
        };
    }

    @Override
    public void close() throws Exception {
        // The pool is the benchmark's; connections pinned for this client only go back to it.
        if (pool instanceof AutoCloseable pinned) {
            pinned.close();
        }
    }
}
