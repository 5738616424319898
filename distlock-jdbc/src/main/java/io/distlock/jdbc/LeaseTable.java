package io.distlock.jdbc;

import io.distlock.ListPage;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.HolderRecord;
import io.distlock.spi.LockNames;
import io.distlock.spi.ListPages;

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
import org.jspecify.annotations.Nullable;

/**
 * The lease table's statements. Lock names are bound as parameters (UTF-8 bytes), never spliced
 * into SQL; the only identifiers in the SQL text are the table, its sequence and the notification
 * channel, all made from a table name that matched {@link #TABLE_NAME}.
 *
 * <p>Taking a lock is one atomic statement on every database; the token is drawn from the sequence
 * while that statement holds the row's lock, so tokens follow the order in which the lock changed
 * hands. MySQL has no sequences: there the statement and the token's draw from a counter table run
 * in one transaction, which holds the row's lock from the statement to the commit (see
 * {@link #upsert}). A release keeps the row (its lease ends now) instead of deleting it: a row
 * that disappears would let a statement that drew its token before the delete insert a fresh row
 * with a token smaller than one issued meanwhile. Rows released longer ago than the retention are
 * swept.
 */
final class LeaseTable {
    /** Lower-case unquoted identifiers, optionally schema-qualified, short enough for every suffix. */
    static final Pattern TABLE_NAME = Pattern.compile("([a-z_][a-z0-9_]{0,39}\\.)?[a-z_][a-z0-9_]{0,39}");
    static final String DEFAULT_TABLE = "distlock_locks";
    /** Longest thread name stored (the column's size); longer ones are cut, as metadata only. */
    static final int THREAD_CHARACTERS = 1000;
    static final int HOST_CHARACTERS = 255;

    private static final String COLUMNS = "owner, token, host, pid, thread, acquired_at, expires_at";
    private static final String INSERTED = "ns, name, " + COLUMNS;
    /**
     * Owner ids in rows written by the session strategy start with this, so that a session-strategy
     * acquirer, which holds the name's advisory lock, knows the row's previous holder is gone.
     */
    static final String SESSION_OWNER = "session:";

    final Dialect dialect;
    final String table;
    final String sequence;
    /** The PostgreSQL NOTIFY channel: one per table; the payload says namespace and name. */
    final String channel;
    private final String namespace;
    private final int queryTimeoutSeconds;

    private final @Nullable String acquireSql;
    private final @Nullable String takeOverSql;
    private final @Nullable String insertSql;
    private final String readBackSql;
    private final String releaseSql;
    private final String extendSql;
    private final String inspectSql;
    /** Rows one query of {@link #list} reads at most. */
    private static final int LIST_PAGE = 1000;
    private final String listFirstSql;
    private final String listNextSql;
    private final String forceReleaseSql;
    private final String sweepSql;
    /** MySQL: raises the counter, leaving the new value in the session's LAST_INSERT_ID(); null elsewhere. */
    private final @Nullable String drawSql;
    private final @Nullable String setTokenSql;
    /** Session strategy (see {@link SessionLocks}); null where the dialect has no such statement. */
    final @Nullable String sessionAcquireSql;
    final @Nullable String sessionUpsertSql;
    final @Nullable String sessionReleaseSql;
    /** The row's holder columns and the database's now, locking the row for the transaction. */
    final String lockRowSql;

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
        this.queryTimeoutSeconds = JdbcConnections.wholeSeconds(timeout);
        String now = dialect.now;
        // MySQL: a placeholder, never committed: the token is drawn once the row is ours (upsert).
        String next = dialect.hasSequences() ? dialect.nextValue(sequence) : "0";
        String row = "?, ?, ?, " + next + ", ?, ?, ?, ?, " + now + " + ?";
        String expired = "expires_at <= " + now;
        // A session-strategy acquirer holds the name's advisory lock when it writes the row, so the
        // session of a previous session-strategy holder is gone and its row may be taken even while
        // its lease lasts (see SessionLocks); a lease-table holder's row only once its lease ended.
        String expiredOrSession = expired + " OR owner LIKE '" + SESSION_OWNER + "%'";
        switch (dialect) {
            case POSTGRESQL -> {
                acquireSql = postgresUpsert("VALUES (" + row + ")", next, "l." + expired);
                // One round trip: the advisory lock, the row (only if the lock was got) and the row as
                // it was before (who holds a busy lock, and whether its lease ended). A volatile CTE
                // that is referenced twice is evaluated once.
                sessionAcquireSql = "WITH k AS (SELECT pg_try_advisory_lock(?) AS got), up AS ("
                        + postgresUpsert("SELECT " + row + " FROM k WHERE k.got", next,
                        "(l." + expired + " OR l.owner LIKE '" + SESSION_OWNER + "%')")
                        + ") SELECT k.got, (SELECT token FROM up), r." + COLUMNS.replace(", ", ", r.") + ", " + now
                        + " FROM k LEFT JOIN " + table + " r ON r.ns = ? AND r.name = ?";
                sessionUpsertSql = null;
                takeOverSql = null;
                insertSql = null;
            }
            case MARIADB -> {
                acquireSql = onDuplicateKeyUpsert(row, next, expired, expired);
                // The condition reads owner and expires_at, and assignments see the columns assigned
                // before them: the first one evaluates it on the old row into a session variable
                // that the others read.
                sessionUpsertSql = onDuplicateKeyUpsert(row, next, "(@distlock_take := (" + expiredOrSession + "))",
                        "@distlock_take");
                sessionAcquireSql = null;
                takeOverSql = null;
                insertSql = null;
            }
            case MYSQL -> {
                acquireSql = onDuplicateKeyUpsert(row, null, expired, expired);
                // MySQL 8 deprecates setting a user variable in an expression; none is needed: once
                // owner is assigned a session owner, the condition is still true for the columns
                // after it, and a row it is false for is left alone, so every column sees the same answer.
                sessionUpsertSql = onDuplicateKeyUpsert(row, null, "(" + expiredOrSession + ")",
                        "(" + expiredOrSession + ")");
                sessionAcquireSql = null;
                takeOverSql = null;
                insertSql = null;
            }
            default -> {
                acquireSql = null;
                sessionAcquireSql = null;
                sessionUpsertSql = null;
                takeOverSql = "UPDATE " + table + " SET owner = ?, token = " + next
                        + ", host = ?, pid = ?, thread = ?, acquired_at = ?, expires_at = " + now + " + ?"
                        + " WHERE ns = ? AND name = ? AND expires_at <= " + now;
                insertSql = "INSERT INTO " + table + " (" + INSERTED + ") VALUES (" + row + ")";
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
            // The unlock is evaluated once the aggregate over the update has run: the lease ends
            // before the advisory lock goes, so the next holder's upsert always finds it ended.
            sessionReleaseSql = "WITH r AS (UPDATE " + table + " SET expires_at = " + now + owned
                    + " RETURNING name), n AS (" + notify.strip() + ") SELECT x.c, pg_advisory_unlock(?)"
                    + " FROM (SELECT count(*) AS c FROM n) x";
        } else {
            releaseSql = "UPDATE " + table + " SET expires_at = " + now + owned;
            forceReleaseSql = "UPDATE " + table + " SET expires_at = " + now + live;
            sessionReleaseSql = null;
        }
        lockRowSql = readBackSql + " FOR UPDATE";
        extendSql = "UPDATE " + table + " SET expires_at = " + now + " + ?" + owned;
        String select = "SELECT name, " + COLUMNS + " FROM " + table;
        inspectSql = select + live;
        String range = " WHERE ns = ? AND expires_at > " + now + " AND name < ? AND name ";
        listFirstSql = select + range + ">= ? ORDER BY name LIMIT ?";
        listNextSql = select + range + "> ? ORDER BY name LIMIT ?";
        sweepSql = "DELETE FROM " + table + " WHERE expires_at < " + now + " - ?";
        if (dialect.hasSequences()) {
            drawSql = null;
            setTokenSql = null;
        } else {
            drawSql = "UPDATE " + sequence + " SET last_token = LAST_INSERT_ID(last_token + 1) WHERE id = 1";
            setTokenSql = "UPDATE " + table + " SET token = ? WHERE ns = ? AND name = ? AND owner = ?";
        }
    }

    /** INSERT, or take over the row where {@code take} holds of it (the table's alias is {@code l}). */
    private String postgresUpsert(String source, String next, String take) {
        return "INSERT INTO " + table + " AS l (" + INSERTED + ") " + source
                + " ON CONFLICT (ns, name) DO UPDATE SET owner = EXCLUDED.owner, token = " + next
                + ", host = EXCLUDED.host, pid = EXCLUDED.pid, thread = EXCLUDED.thread,"
                + " acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at"
                + " WHERE " + take + " RETURNING l.token";
    }

    /**
     * MariaDB's and MySQL's upsert: no RETURNING with ON DUPLICATE KEY UPDATE. Assignments run left
     * to right and each sees the columns assigned before it: {@code first}, the condition of the
     * first assignment (owner), sees the old row; {@code rest} is that of the others, so expires_at,
     * which a condition reads, is assigned last.
     *
     * <p>With a sequence ({@code next} not null) the token is drawn in the statement and the new
     * row's values are {@code VALUES(column)}. Without (MySQL, {@code next} null) the token is left
     * for {@link #upsert} to draw, and the values are parameters bound a second time (see
     * {@link #bindTakeOver}): MySQL 8.0.20 deprecates {@code VALUES()} here, and the row alias it
     * offers instead is MySQL's alone.
     */
    private String onDuplicateKeyUpsert(String row, @Nullable String next, String first, String rest) {
        boolean values = next != null;
        return "INSERT INTO " + table + " (" + INSERTED + ") VALUES (" + row + ") ON DUPLICATE KEY UPDATE"
                + " owner = IF(" + first + ", " + (values ? "VALUES(owner)" : "?") + ", owner),"
                + (values ? " token = IF(" + rest + ", " + next + ", token)," : "")
                + " host = IF(" + rest + ", " + (values ? "VALUES(host)" : "?") + ", host),"
                + " pid = IF(" + rest + ", " + (values ? "VALUES(pid)" : "?") + ", pid),"
                + " thread = IF(" + rest + ", " + (values ? "VALUES(thread)" : "?") + ", thread),"
                + " acquired_at = IF(" + rest + ", " + (values ? "VALUES(acquired_at)" : "?") + ", acquired_at),"
                + " expires_at = IF(" + rest + ", " + (values ? "VALUES(expires_at)" : dialect.now + " + ?")
                + ", expires_at)";
    }

    String namespace() {
        return namespace;
    }

    /**
     * The name column of lock {@code name}: its UTF-8 bytes, which are read back as text (list, the
     * release notifications), so a name that is not well-formed text is refused rather than stored
     * as the key of another name ({@code ?} in place of its unpaired surrogate).
     */
    static byte[] key(String name) {
        return LockNames.bytes(LockNames.requireWellFormed(name));
    }

    /** {@code sql} prepared with the query timeout; null {@code sql} is a statement this dialect has not got. */
    PreparedStatement prepare(Connection connection, @Nullable String sql) throws SQLException {
        if (sql == null) {
            throw new IllegalStateException(dialect + " has no such statement on " + table);
        }
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
            case MARIADB, MYSQL -> {
                return outcome(request.name(), upsert(connection, acquireSql, request, request.ownerId()),
                        request.ownerId());
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
                return readBack(connection, request.name(), request.ownerId());
            }
        }
    }

    private static boolean isDuplicateKey(SQLException e) {
        // 23505 in the standard; any integrity violation here can only be the primary key.
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }

    private void bindInsert(PreparedStatement statement, byte[] key, String owner, String host, long pid,
                            String thread, long acquiredAt, long lease) throws SQLException {
        bindInsert(statement, 0, key, owner, host, pid, thread, acquiredAt, lease);
    }

    /** The eight parameters of a row to insert, after the first {@code before} parameters. */
    private void bindInsert(PreparedStatement statement, int before, byte[] key, String owner, String host, long pid,
                            String thread, long acquiredAt, long lease) throws SQLException {
        statement.setString(before + 1, namespace);
        statement.setBytes(before + 2, key);
        statement.setString(before + 3, owner);
        statement.setString(before + 4, host);
        statement.setLong(before + 5, pid);
        statement.setString(before + 6, thread);
        statement.setLong(before + 7, acquiredAt);
        statement.setLong(before + 8, lease);
    }

    /** {@code request}'s row as an upsert binds it, after {@code before} parameters, with {@code owner} as its owner. */
    void bindRequest(PreparedStatement statement, int before, AcquireRequest request, String owner) throws SQLException {
        bindInsert(statement, before, key(request.name()), owner, text(request.host(), HOST_CHARACTERS),
                request.pid(), text(request.thread(), THREAD_CHARACTERS), request.acquiredAt().toEpochMilli(),
                request.lease().toMillis());
    }

    /** MySQL's upsert: the update clause's six values (owner, host, pid, thread, acquired_at, lease), after {@code before}. */
    private void bindTakeOver(PreparedStatement statement, int before, AcquireRequest request, String owner)
            throws SQLException {
        statement.setString(before + 1, owner);
        statement.setString(before + 2, text(request.host(), HOST_CHARACTERS));
        statement.setLong(before + 3, request.pid());
        statement.setString(before + 4, text(request.thread(), THREAD_CHARACTERS));
        statement.setLong(before + 5, request.acquiredAt().toEpochMilli());
        statement.setLong(before + 6, request.lease().toMillis());
    }

    /**
     * MariaDB's and MySQL's acquisition: {@code sql} (the lease table's or the session strategy's
     * upsert) for {@code request} with {@code owner}, and the row as it is afterwards (null: none);
     * owner ids are unique per attempt, so the row carries {@code owner} only if this statement took it.
     *
     * <p>On MariaDB the token came from the sequence inside the statement. On MySQL the statement and
     * the draw from the counter run in one transaction: the upsert locks the row, and only if it made
     * the row ours is the counter raised and its value written as the token, before the commit lets
     * the row go. The next taker of the name waits for that commit, and then raises the counter
     * itself, so its token is larger; an attempt that finds the lock busy never touches the counter,
     * so waiters polling a busy lock do not queue on its row.
     */
    @Nullable Row upsert(Connection connection, @Nullable String sql, AcquireRequest request, String owner)
            throws SQLException {
        if (dialect.hasSequences()) {
            try (PreparedStatement statement = prepare(connection, sql)) {
                bindRequest(statement, 0, request, owner);
                statement.executeUpdate();
            }
            return readRow(connection, request.name(), false);
        }
        // Optional: a transaction's work returns a value, and here there may be no row.
        return inTransaction(connection, () -> {
            try (PreparedStatement statement = prepare(connection, sql)) {
                bindRequest(statement, 0, request, owner);
                bindTakeOver(statement, 8, request, owner);
                statement.executeUpdate();
            }
            Row row = readRow(connection, request.name(), false);
            return Optional.ofNullable(row != null && row.owner().equals(owner)
                    ? row.withToken(drawToken(connection, request.name(), owner)) : row);
        }).orElse(null);
    }

    /** MySQL: the next value of the counter, written as the token of the row this transaction has just made {@code owner}'s. */
    private long drawToken(Connection connection, String name, String owner) throws SQLException {
        try (PreparedStatement statement = prepare(connection, drawSql)) {
            if (statement.executeUpdate() != 1) {
                throw new SQLException("the token counter " + sequence + " has no row with id = 1; create it with "
                        + dialect.schemaResource + "'s INSERT (io/distlock/jdbc/" + dialect.schemaResource
                        + " in the distlock-jdbc jar)", "42S02");
            }
        }
        long token;
        try (PreparedStatement statement = prepare(connection, "SELECT LAST_INSERT_ID()");
             ResultSet rows = statement.executeQuery()) {
            rows.next();
            token = rows.getLong(1);
        }
        try (PreparedStatement statement = prepare(connection, setTokenSql)) {
            statement.setLong(1, token);
            statement.setString(2, namespace);
            statement.setBytes(3, key(name));
            statement.setString(4, owner);
            statement.executeUpdate();
        }
        return token;
    }

    @FunctionalInterface
    interface Transactional<T> {
        T run() throws SQLException;
    }

    /**
     * {@code work} in one transaction: on a connection in auto-commit, committed here (rolled back
     * on a failure) and the connection put back in auto-commit; on one that is not, the caller's
     * transaction, which the caller commits.
     */
    // The finally throws only when the work succeeded: then failing to restore auto-commit is the failure.
    @SuppressWarnings("Finally")
    static <T> T inTransaction(Connection connection, Transactional<T> work) throws SQLException {
        if (!connection.getAutoCommit()) {
            return work.run();
        }
        connection.setAutoCommit(false);
        Throwable failure = null;
        try {
            T result = work.run();
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            failure = e;
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            try {
                connection.setAutoCommit(true);
            } catch (SQLException e) {
                // A connection that failed may refuse this too; the first failure is the one to report.
                if (failure == null) {
                    throw e;
                }
                failure.addSuppressed(e);
            }
        }
    }

    /** A lock's row as it was read: its holder columns and the database's now (null owner: no row). */
    record Row(String owner, long token, String host, long pid, String thread, long acquiredAt, long expiresAt,
               long now) {
        boolean live() {
            return expiresAt > now;
        }

        Row withToken(long newToken) {
            return new Row(owner, newToken, host, pid, thread, acquiredAt, expiresAt, now);
        }

        LockInfo info(String name, String ownerId) {
            return new HolderRecord(ownerId, host, pid, thread, Instant.ofEpochMilli(acquiredAt),
                    Instant.ofEpochMilli(expiresAt)).info(name, token);
        }
    }

    /** The row at column {@code first} (owner, token, host, pid, thread, acquired_at, expires_at, now), or null. */
    static @Nullable Row row(ResultSet rows, int first) throws SQLException {
        String owner = rows.getString(first);
        if (owner == null) {
            return null;
        }
        return new Row(owner, rows.getLong(first + 1), rows.getString(first + 2), rows.getLong(first + 3),
                rows.getString(first + 4), rows.getLong(first + 5), rows.getLong(first + 6), rows.getLong(first + 7));
    }

    /** The lock's row (null when there is none); with {@code lock}, locked until the transaction ends. */
    @Nullable Row readRow(Connection connection, String name, boolean lock) throws SQLException {
        try (PreparedStatement statement = prepare(connection, lock ? lockRowSql : readBackSql)) {
            statement.setString(1, namespace);
            statement.setBytes(2, key(name));
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? row(rows, 1) : null;
            }
        }
    }

    /**
     * After an atomic upsert that cannot return the token: the row carries our owner id only if our
     * statement took it (owner ids are unique per attempt). Reading it only reports the outcome; the
     * decision was made under the row lock.
     */
    private AcquireResult readBack(Connection connection, String name, String ownerId) throws SQLException {
        return outcome(name, readRow(connection, name, false), ownerId);
    }

    /** The acquisition's outcome from the row as it is after the attempt (null: no row). */
    private static AcquireResult outcome(String name, @Nullable Row row, String ownerId) {
        if (row == null) {
            return AcquireResult.busy();
        }
        if (ownerId.equals(row.owner())) {
            return AcquireResult.acquired(row.token());
        }
        return row.live() ? AcquireResult.busy(row.info(name, row.owner())) : AcquireResult.busy();
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
     * At most {@code limit} held locks whose names start with {@code prefix}, the first by name, read
     * in pages of at most {@value #LIST_PAGE} rows: keyset paging on the primary key, each page one
     * query within the query timeout, until one lock more than the limit is found or the rows end.
     * {@code shown} turns a row into the lock it shows, or null for a row that holds nothing (the
     * session strategy's row of a dead session).
     *
     * <p>A byte range, so the primary key's index answers it and no LIKE escaping is needed: every
     * name that starts with the prefix's bytes sorts at or after them and before the prefix with its
     * last byte raised by one (UTF-8 never has a 0xFF byte, so the raise never carries, and a lone
     * 0xFF byte sorts after every name).
     */
    ListPage list(Connection connection, String prefix, int limit, Shown shown) throws SQLException {
        int wanted = ListPages.wanted(limit);
        int pageSize = Math.min(wanted, LIST_PAGE);
        // A prefix may end inside a name (half a surrogate pair): its bytes, never refused.
        byte[] from = LockNames.bytes(prefix);
        byte[] to = from.length == 0 ? new byte[] {(byte) 0xFF} : Arrays.copyOf(from, from.length);
        if (from.length > 0) {
            to[to.length - 1]++;
        }
        List<LockInfo> found = new ArrayList<>();
        @Nullable String after = null;
        int rowsRead = pageSize;
        while (found.size() < wanted && rowsRead == pageSize) {
            rowsRead = 0;
            try (PreparedStatement statement = prepare(connection, after == null ? listFirstSql : listNextSql)) {
                statement.setString(1, namespace);
                statement.setBytes(2, to);
                statement.setBytes(3, after == null ? from : key(after));
                statement.setInt(4, pageSize);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        rowsRead++;
                        after = new String(rows.getBytes(1), StandardCharsets.UTF_8);
                        // The database orders bytes; the check keeps H2 or an odd collation honest.
                        LockInfo lock = after.startsWith(prefix) ? shown.lock(info(after, rows, 2)) : null;
                        if (lock != null) {
                            found.add(lock);
                        }
                    }
                }
            }
        }
        return ListPages.of(found, limit);
    }

    /** What a listed row shows. */
    interface Shown {
        /** The lock {@code row} shows, or null if it holds nothing. */
        @Nullable LockInfo lock(LockInfo row) throws SQLException;
    }

    int sweep(Connection connection, Duration retention) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sweepSql)) {
            statement.setLong(1, retention.toMillis());
            return statement.executeUpdate();
        }
    }

    /** {@code rows} at {@code first}: owner, token, host, pid, thread, acquired_at, expires_at. */
    private static LockInfo info(String name, ResultSet rows, int first) throws SQLException {
        return new HolderRecord(rows.getString(first), rows.getString(first + 2), rows.getLong(first + 3),
                rows.getString(first + 4), Instant.ofEpochMilli(rows.getLong(first + 5)),
                Instant.ofEpochMilli(rows.getLong(first + 6))).info(name, rows.getLong(first + 1));
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
