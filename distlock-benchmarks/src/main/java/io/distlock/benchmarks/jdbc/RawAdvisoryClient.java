package io.distlock.benchmarks.jdbc;

import io.distlock.benchmarks.harness.LockClient;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * PostgreSQL's session advisory lock by hand, the floor of the session strategy: a pooled
 * connection kept for as long as the lock is held, {@code pg_try_advisory_lock} on it, then
 * {@code pg_advisory_unlock} and the connection back to the pool. No lease, no token, no waiting
 * (used only where the lock is never busy).
 */
final class RawAdvisoryClient implements LockClient {
    private final DataSource pool;

    RawAdvisoryClient(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public Held acquire(String name) throws Exception {
        long key = key(name);
        Connection connection = pool.getConnection();
        try {
            if (!call(connection, "SELECT pg_try_advisory_lock(?)", key)) {
                throw new IllegalStateException("raw advisory baseline found '" + name + "' busy; it only runs uncontended");
            }
        } catch (Exception | Error e) {
            connection.close();
            throw e;
        }
        return () -> {
            try (connection) {
                if (!call(connection, "SELECT pg_advisory_unlock(?)", key)) {
                    throw new IllegalStateException("raw advisory baseline no longer held '" + name + "'");
                }
            }
        };
    }

    private static boolean call(Connection connection, String sql, long key) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setLong(1, key);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() && rows.getBoolean(1);
            }
        }
    }

    /** FNV-1a over the name's UTF-8 bytes: any stable 64-bit key will do for a baseline. */
    static long key(String name) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    @Override
    public void close() {
        // The pool is the benchmark's.
    }
}
