package io.distlock.jdbc;

import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The lease table's statements. Lock names are bound as parameters (UTF-8 bytes), never spliced
 * into SQL; the only identifiers in the SQL text are the table, its sequence and the notification
 * channel, all made from a table name that matched {@link #TABLE_NAME}.
 *
 * <p>Taking a lock is one atomic statement on every database; the token is drawn from the sequence
 * while that statement holds the row's lock, so tokens follow the order in which the lock changed
 * hands. A release keeps the row (its lease ends now) instead of deleting it: a row that disappears
 * would let a statement that drew its token before the delete insert a fresh row with a token
 * smaller than one issued meanwhile. Rows released longer ago than the retention are swept.
 */
final class LeaseTable {
    /** Lower-case unquoted identifiers, optionally schema-qualified, short enough for every suffix. */
    static final Pattern TABLE_NAME = Pattern.compile("([a-z_][a-z0-9_]{0,39}\\.)?[a-z_][a-z0-9_]{0,39}");
    static final String DEFAULT_TABLE = "distlock_locks";
    /** Longest thread name stored (the column's size); longer ones are cut, as metadata only. */
    static final int THREAD_CHARACTERS = 1000;
    static final int HOST_CHARACTERS = 255;

    private static final String COLUMNS = "owner, token, host, pid, thread, acquired_at, expires_at";

    final Dialect dialect;
    final String table;
    final String sequence;
    /** The PostgreSQL NOTIFY channel: one per table; the payload says namespace and name. */
    final String channel;
    private final String namespace;
    private final int queryTimeoutSeconds;

    private final String acquireSql;
    private final String takeOverSql;
    private final String insertSql;
    private final String readBackSql;
    private final String releaseSql;
    private final String extendSql;
    private final String inspectSql;
    private final String listAllSql;
    private final String listRangeSql;
    private final String forceReleaseSql;
    private final String sweepSql;

    LeaseTable(Dialect dialect, String table, String namespace, Duration timeout) {
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("table name '" + table + "' must be a lower-case SQL identifier "
                    + "(letters a-z, digits, _; at most 40 characters), optionally schema-qualified as schema.table");
        }
        this.dialect = dialect;
        this.table = table;
        this.sequence = table + "_token_seq";
        this.channel = table.replace('.', '_') + "_released";
        this.namespace = namespace;
        this.queryTimeoutSeconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        String now = dialect.now;
        String next = dialect.nextValue(sequence);
        String values = "(ns, name, owner, token, host, pid, thread, acquired_at, expires_at) VALUES (?, ?, ?, "
                + next + ", ?, ?, ?, ?, " + now + " + ?)";
        switch (dialect) {
            case POSTGRESQL -> {
                acquireSql = "INSERT INTO " + table + " AS l " + values
                        + " ON CONFLICT (ns, name) DO UPDATE SET owner = EXCLUDED.owner, token = " + next
                        + ", host = EXCLUDED.host, pid = EXCLUDED.pid, thread = EXCLUDED.thread,"
                        + " acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at"
                        + " WHERE l.expires_at <= " + now + " RETURNING l.token";
                takeOverSql = null;
                insertSql = null;
            }
            case MARIADB -> {
                // No RETURNING with ON DUPLICATE KEY UPDATE. Assignments run left to right and each
                // sees the columns assigned before it, so expires_at, which every condition reads,
                // is assigned last: all conditions see the old lease.
                String expired = "expires_at <= " + now;
                acquireSql = "INSERT INTO " + table + " " + values + " ON DUPLICATE KEY UPDATE"
                        + " owner = IF(" + expired + ", VALUES(owner), owner),"
                        + " token = IF(" + expired + ", " + next + ", token),"
                        + " host = IF(" + expired + ", VALUES(host), host),"
                        + " pid = IF(" + expired + ", VALUES(pid), pid),"
                        + " thread = IF(" + expired + ", VALUES(thread), thread),"
                        + " acquired_at = IF(" + expired + ", VALUES(acquired_at), acquired_at),"
                        + " expires_at = IF(" + expired + ", VALUES(expires_at), expires_at)";
                takeOverSql = null;
                insertSql = null;
            }
            default -> {
                acquireSql = null;
                takeOverSql = "UPDATE " + table + " SET owner = ?, token = " + next
                        + ", host = ?, pid = ?, thread = ?, acquired_at = ?, expires_at = " + now + " + ?"
                        + " WHERE ns = ? AND name = ? AND expires_at <= " + now;
                insertSql = "INSERT INTO " + table + " " + values;
            }
        }
        readBackSql = "SELECT " + COLUMNS + ", " + now + " FROM " + table + " WHERE ns = ? AND name = ?";
        String owned = " WHERE ns = ? AND name = ? AND owner = ? AND expires_at > " + now;
        String live = " WHERE ns = ? AND name = ? AND expires_at > " + now;
        if (dialect == Dialect.POSTGRESQL) {
            // The notification goes out with the commit of the same statement, only if a row changed.
            String notify = " SELECT pg_notify('" + channel + "', ? || ' ' || encode(r.name, 'hex')) FROM r";
            releaseSql = "WITH r AS (UPDATE " + table + " SET expires_at = " + now + owned + " RETURNING name)" + notify;
            forceReleaseSql = "WITH r AS (UPDATE " + table + " SET expires_at = " + now + live + " RETURNING name)"
                    + notify;
        } else {
            releaseSql = "UPDATE " + table + " SET expires_at = " + now + owned;
            forceReleaseSql = "UPDATE " + table + " SET expires_at = " + now + live;
        }
        extendSql = "UPDATE " + table + " SET expires_at = " + now + " + ?" + owned;
        String select = "SELECT name, " + COLUMNS + " FROM " + table;
        inspectSql = select + live;
        listAllSql = select + " WHERE ns = ? AND expires_at > " + now + " ORDER BY name";
        listRangeSql = select + " WHERE ns = ? AND expires_at > " + now + " AND name >= ? AND name < ? ORDER BY name";
        sweepSql = "DELETE FROM " + table + " WHERE expires_at < " + now + " - ?";
    }

    String namespace() {
        return namespace;
    }

    static byte[] key(String name) {
        return name.getBytes(StandardCharsets.UTF_8);
    }

    private PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(queryTimeoutSeconds);
        return statement;
    }

    AcquireResult acquire(Connection connection, AcquireRequest request) throws SQLException {
        byte[] key = key(request.name());
        String host = text(request.host(), HOST_CHARACTERS);
        String thread = text(request.thread(), THREAD_CHARACTERS);
        long acquiredAt = request.acquiredAt().toEpochMilli();
        long lease = request.lease().toMillis();
        switch (dialect) {
            case POSTGRESQL -> {
                try (PreparedStatement statement = prepare(connection, acquireSql)) {
                    bindInsert(statement, key, request.ownerId(), host, request.pid(), thread, acquiredAt, lease);
                    try (ResultSet rows = statement.executeQuery()) {
                        return rows.next() ? AcquireResult.acquired(rows.getLong(1)) : AcquireResult.busy();
                    }
                }
            }
            case MARIADB -> {
                try (PreparedStatement statement = prepare(connection, acquireSql)) {
                    bindInsert(statement, key, request.ownerId(), host, request.pid(), thread, acquiredAt, lease);
                    statement.executeUpdate();
                }
                return readBack(connection, request.name(), key, request.ownerId());
            }
            default -> {
                int changed;
                try (PreparedStatement statement = prepare(connection, takeOverSql)) {
                    statement.setString(1, request.ownerId());
                    statement.setString(2, host);
                    statement.setLong(3, request.pid());
                    statement.setString(4, thread);
                    statement.setLong(5, acquiredAt);
                    statement.setLong(6, lease);
                    statement.setString(7, namespace);
                    statement.setBytes(8, key);
                    changed = statement.executeUpdate();
                }
                if (changed == 0) {
                    try (PreparedStatement statement = prepare(connection, insertSql)) {
                        bindInsert(statement, key, request.ownerId(), host, request.pid(), thread, acquiredAt, lease);
                        statement.executeUpdate();
                    } catch (SQLException e) {
                        if (!isDuplicateKey(e)) {
                            throw e;
                        }
                        // Someone else holds it (or took it between our two statements): busy.
                    }
                }
                return readBack(connection, request.name(), key, request.ownerId());
            }
        }
    }

    private static boolean isDuplicateKey(SQLException e) {
        // 23505 in the standard; any integrity violation here can only be the primary key.
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    private void bindInsert(PreparedStatement statement, byte[] key, String owner, String host, long pid,
                            String thread, long acquiredAt, long lease) throws SQLException {
        statement.setString(1, namespace);
        statement.setBytes(2, key);
        statement.setString(3, owner);
        statement.setString(4, host);
        statement.setLong(5, pid);
        statement.setString(6, thread);
        statement.setLong(7, acquiredAt);
        statement.setLong(8, lease);
    }

    /**
     * After an atomic upsert that cannot return the token: the row carries our owner id only if our
     * statement took it (owner ids are unique per attempt). Reading it only reports the outcome; the
     * decision was made under the row lock.
     */
    private AcquireResult readBack(Connection connection, String name, byte[] key, String ownerId) throws SQLException {
        try (PreparedStatement statement = prepare(connection, readBackSql)) {
            statement.setString(1, namespace);
            statement.setBytes(2, key);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return AcquireResult.busy();
                }
                if (ownerId.equals(rows.getString(1))) {
                    return AcquireResult.acquired(rows.getLong(2));
                }
                long now = rows.getLong(8);
                return rows.getLong(7) > now ? AcquireResult.busy(info(name, rows, 1)) : AcquireResult.busy();
            }
        }
    }

    boolean release(Connection connection, String name, String ownerId) throws SQLException {
        try (PreparedStatement statement = prepare(connection, releaseSql)) {
            statement.setString(1, namespace);
            statement.setBytes(2, key(name));
            statement.setString(3, ownerId);
            if (dialect == Dialect.POSTGRESQL) {
                statement.setString(4, namespace);
            }
            return changed(statement);
        }
    }

    boolean forceRelease(Connection connection, String name) throws SQLException {
        try (PreparedStatement statement = prepare(connection, forceReleaseSql)) {
            statement.setString(1, namespace);
            statement.setBytes(2, key(name));
            if (dialect == Dialect.POSTGRESQL) {
                statement.setString(3, namespace);
            }
            return changed(statement);
        }
    }

    /** PostgreSQL's release is a query (the rows it notified for); elsewhere an update count. */
    private boolean changed(PreparedStatement statement) throws SQLException {
        if (dialect == Dialect.POSTGRESQL) {
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
        return statement.executeUpdate() > 0;
    }

    boolean extend(Connection connection, String name, String ownerId, Duration lease) throws SQLException {
        try (PreparedStatement statement = prepare(connection, extendSql)) {
            statement.setLong(1, lease.toMillis());
            statement.setString(2, namespace);
            statement.setBytes(3, key(name));
            statement.setString(4, ownerId);
            return statement.executeUpdate() > 0;
        }
    }

    Optional<LockInfo> inspect(Connection connection, String name) throws SQLException {
        try (PreparedStatement statement = prepare(connection, inspectSql)) {
            statement.setString(1, namespace);
            statement.setBytes(2, key(name));
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(info(name, rows, 2)) : Optional.empty();
            }
        }
    }

    /**
     * A byte range, so the primary key's index answers it and no LIKE escaping is needed: every name
     * that starts with the prefix's bytes sorts at or after them and before the prefix with its last
     * byte raised by one (UTF-8 never has a 0xFF byte, so the raise never carries).
     */
    List<LockInfo> list(Connection connection, String prefix) throws SQLException {
        byte[] from = key(prefix);
        boolean all = from.length == 0;
        try (PreparedStatement statement = prepare(connection, all ? listAllSql : listRangeSql)) {
            statement.setString(1, namespace);
            if (!all) {
                byte[] to = Arrays.copyOf(from, from.length);
                to[to.length - 1]++;
                statement.setBytes(2, from);
                statement.setBytes(3, to);
            }
            List<LockInfo> result = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    String name = new String(rows.getBytes(1), StandardCharsets.UTF_8);
                    // The database orders bytes; the check keeps H2 or an odd collation honest.
                    if (name.startsWith(prefix)) {
                        result.add(info(name, rows, 2));
                    }
                }
            }
            return result;
        }
    }

    int sweep(Connection connection, Duration retention) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sweepSql)) {
            statement.setLong(1, retention.toMillis());
            return statement.executeUpdate();
        }
    }

    /** {@code rows} at {@code first}: owner, token, host, pid, thread, acquired_at, expires_at. */
    private static LockInfo info(String name, ResultSet rows, int first) throws SQLException {
        return new LockInfo(name, rows.getString(first), rows.getString(first + 2), rows.getLong(first + 3),
                rows.getString(first + 4), Instant.ofEpochMilli(rows.getLong(first + 5)),
                Instant.ofEpochMilli(rows.getLong(first + 6)), rows.getLong(first + 1));
    }

    /** Holder metadata as the columns can take it: no NUL (PostgreSQL text refuses it), at most {@code max} characters. */
    static String text(String value, int max) {
        String clean = value == null ? "" : value.replace('\u0000', '?');
        if (clean.length() <= max) {
            return clean;
        }
        int end = max;
        if (Character.isHighSurrogate(clean.charAt(end - 1))) {
            end--;
        }
        return clean.substring(0, end);
    }

    /** The payload of a PostgreSQL release notification: namespace, space, the name's bytes in hex. */
    Optional<String> releasedName(String payload) {
        int space = payload.indexOf(' ');
        if (space < 0 || !payload.substring(0, space).equals(namespace)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(HexFormat.of().parseHex(payload, space + 1, payload.length()),
                    StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notOurs) {
            return Optional.empty();
        }
    }
}
