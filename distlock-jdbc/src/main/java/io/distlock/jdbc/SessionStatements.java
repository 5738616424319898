package io.distlock.jdbc;

import io.distlock.spi.AcquireRequest;
import io.distlock.spi.Durations;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The statements of session locks, per dialect: take a name's session lock and write its row,
 * let both go, and ask the database who holds a session lock, since when its session is idle, and
 * end that session. {@link SessionLocks} decides when; this class only says how.
 */
final class SessionStatements {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final LeaseTable table;
    private final Dialect dialect;
    private final Duration timeout;
    private final int seconds;

    /** One try for the advisory lock and the row: got the lock, the new token (0: the row stayed another's), the row before. */
    record Attempt(boolean locked, long token, LeaseTable.@Nullable Row before) {
    }


    SessionStatements(LeaseTable table, Duration timeout) {
        this.table = table;
        this.dialect = table.dialect;
        this.timeout = timeout;
        this.seconds = JdbcConnections.wholeSeconds(timeout);
    }

    Attempt attempt(Connection connection, AcquireRequest request, SessionKeys.Key key) throws SQLException {
        String owner = LeaseTable.SESSION_OWNER + request.ownerId();
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement statement = table.prepare(connection, table.sessionAcquireSql)) {
                statement.setLong(1, key.advisory());
                table.bindRequest(statement, 1, request, owner);
                statement.setString(10, table.namespace());
                statement.setBytes(11, LeaseTable.key(request.name()));
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    boolean locked = rows.getBoolean(1);
                    long token = rows.getLong(2);
                    return new Attempt(locked, rows.wasNull() ? 0 : token, LeaseTable.row(rows, 3));
                }
            }
        }
        boolean locked;
        try (PreparedStatement statement = table.prepare(connection, "SELECT GET_LOCK(?, 0)")) {
            statement.setString(1, key.lockName());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                int got = rows.getInt(1);
                if (rows.wasNull()) {
                    throw new SQLException("GET_LOCK('" + key.lockName() + "', 0) failed (returned NULL)");
                }
                locked = got == 1;
            }
        }
        if (!locked) {
            return new Attempt(false, 0, table.readRow(connection, request.name(), false));
        }
        // As in the lease-table strategy: owner ids are unique, so our owner in the row means our statement took it.
        LeaseTable.Row row = table.upsert(connection, table.sessionUpsertSql, request, owner);
        if (row != null && row.owner().equals(owner)) {
            return new Attempt(true, row.token(), null);
        }
        return new Attempt(true, 0, row);
    }

    /** The database session holding {@code key}'s advisory lock, other than {@code connection}'s own; null when free. */
    @Nullable Long holderSession(Connection connection, SessionKeys.Key key) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement statement = table.prepare(connection, "SELECT pid FROM pg_locks WHERE locktype = "
                    + "'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    + " AND classid::bigint = ? AND objid::bigint = ? AND objsubid = 1 AND granted"
                    + " AND pid <> pg_backend_pid()")) {
                statement.setLong(1, key.classId());
                statement.setLong(2, key.objectId());
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? rows.getLong(1) : null;
                }
            }
        }
        try (PreparedStatement statement = table.prepare(connection, "SELECT IS_USED_LOCK(?), CONNECTION_ID()")) {
            statement.setString(1, key.lockName());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                long session = rows.getLong(1);
                return rows.wasNull() || session == rows.getLong(2) ? null : session;
            }
        }
    }

    /**
     * Whether database session {@code session} has been idle since before {@code millis} (epoch ms by
     * the database's clock): a holder frozen or cut off since before its lease ended, as opposed to a
     * session that is working now or has since (a holder's heartbeat, a new holder's acquisition).
     */
    boolean idleSince(Connection connection, long session, long millis) throws SQLException {
        String sql = switch (dialect) {
            case POSTGRESQL -> "SELECT (extract(epoch from state_change) * 1000)::bigint FROM pg_stat_activity"
                    + " WHERE pid = ? AND state = 'idle'";
            // MySQL's PROCESSLIST has no TIME_MS, only whole seconds (TIME, rounded down): the latest
            // moment the session may have gone idle is now - TIME, which errs towards "not yet".
            case MYSQL -> "SELECT CAST(" + dialect.now + " - TIME * 1000 AS SIGNED) FROM information_schema.PROCESSLIST"
                    + " WHERE ID = ? AND COMMAND = 'Sleep'";
            default -> "SELECT CAST(" + dialect.now + " - TIME_MS AS SIGNED) FROM information_schema.PROCESSLIST"
                    + " WHERE ID = ? AND COMMAND = 'Sleep'";
        };
        try (PreparedStatement statement = table.prepare(connection, sql)) {
            statement.setLong(1, session);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return false;
                }
                long since = rows.getLong(1);
                return !rows.wasNull() && since < millis;
            }
        }
    }

    /** Ends database session {@code session} and waits (within the timeout) until it no longer holds {@code key}. */
    boolean terminate(Connection connection, SessionKeys.Key key, long session) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement statement = table.prepare(connection, "SELECT pg_terminate_backend(?)")) {
                statement.setInt(1, (int) session);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next() || !rows.getBoolean(1)) {
                        return false;
                    }
                }
            }
        } else {
            try (Statement statement = connection.createStatement()) {
                statement.setQueryTimeout(seconds);
                // A number the server gave, never text from outside.
                statement.execute("KILL CONNECTION " + session);
            } catch (SQLException e) {
                // 1094: unknown thread id, it has ended by itself meanwhile.
                if (e.getErrorCode() != 1094) {
                    throw e;
                }
            }
        }
        // Both calls only signal the session; its locks go when it has ended.
        long deadline = Durations.deadlineNanos(System.nanoTime(), timeout);
        while (Long.valueOf(session).equals(holderSession(connection, key))) {
            if (System.nanoTime() - deadline > 0) {
                throw new SQLException("database session " + session + " still held the lock " + timeout
                        + " after it was ended", "57014");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
        return true;
    }

    void unlock(Connection connection, SessionKeys.Key key) throws SQLException {
        boolean postgres = dialect == Dialect.POSTGRESQL;
        try (PreparedStatement statement = table.prepare(connection,
                postgres ? "SELECT pg_advisory_unlock(?)" : "SELECT RELEASE_LOCK(?)")) {
            if (postgres) {
                statement.setLong(1, key.advisory());
            } else {
                statement.setString(1, key.lockName());
            }
            statement.executeQuery().close();
        }
    }

    /** Ends the row's lease (waking waiters on PostgreSQL) and then lets the advisory lock go; true if the lease was still ours. */
    boolean release(Connection connection, String name, String ownerId, SessionKeys.Key key) throws SQLException {
        String owner = LeaseTable.SESSION_OWNER + ownerId;
        if (dialect == Dialect.POSTGRESQL) {
            try (PreparedStatement statement = table.prepare(connection, table.sessionReleaseSql)) {
                statement.setString(1, table.namespace());
                statement.setBytes(2, LeaseTable.key(name));
                statement.setString(3, owner);
                statement.setString(4, table.namespace());
                statement.setLong(5, key.advisory());
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1) > 0;
                }
            }
        }
        boolean released = table.release(connection, name, owner);
        unlock(connection, key);
        return released;
    }

    /** Every advisory lock held in this database (bigint keys), in one query. */
    Set<Long> advisoryLocks(Connection connection) throws SQLException {
        Set<Long> keys = new HashSet<>();
        try (PreparedStatement statement = table.prepare(connection, "SELECT classid::bigint, objid::bigint FROM pg_locks"
                + " WHERE locktype = 'advisory' AND objsubid = 1 AND granted"
                + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");
             ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                keys.add(rows.getLong(1) << 32 | rows.getLong(2));
            }
        }
        return keys;
    }
}
