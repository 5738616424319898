package io.distlock.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.distlock.ListPage;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.BackendUri;
import io.distlock.spi.ConnectionUnavailableException;
import io.distlock.spi.Durations;
import io.distlock.spi.LockBackend;
import io.distlock.spi.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Locks in a SQL database the cluster already shares: PostgreSQL, MariaDB 10.3+, MySQL 8.0+ or
 * H2, through a lease table (one row per lock name and namespace: owner, fencing token, holder,
 * lease end), or, with {@link Strategy#SESSION}, through session locks (PostgreSQL advisory locks,
 * MariaDB and MySQL {@code GET_LOCK}) on a connection of their own, recorded in the same table.
 *
 * <p>Two ways to build one:
 * <pre>{@code
 * // the application's own pool
 * LockBackend backend = JdbcLockBackend.builder(dataSource).namespace("billing").build();
 * // distlock builds a HikariCP pool from a URI (the command line's way)
 * LockBackend backend = JdbcLockBackend.open("jdbc:postgresql://db:5432/app?user=app&distlock.namespace=billing");
 * }</pre>
 *
 * <p>Guarantees: taking a lock is one atomic statement; lease ends are judged on the database's
 * clock only; tokens come from a database sequence (on MySQL a counter table), drawn under the
 * row's lock, so they strictly increase for every name across restarts of clients and database. Release and extend act only
 * for the owner. On PostgreSQL, releases wake waiters of other processes through LISTEN/NOTIFY.
 * See the module README for the parameters, the schema scripts and the failure modes.
 */
public final class JdbcLockBackend implements LockBackend {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcLockBackend.class);
    static final String DEFAULT_NAMESPACE = "distlock";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** A cold JVM's first connection (driver classes, TLS negotiation, SCRAM) can take seconds on a busy host. */
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
    static final Duration DEFAULT_RETENTION = Duration.ofHours(1);
    static final int DEFAULT_POOL_SIZE = 8;
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    /** How a backend holds its locks. */
    public enum Strategy {
        /**
         * A row per lock in the lease table (the default): the lock lasts as long as its lease,
         * whatever happens to connections; works through connection poolers in transaction mode.
         */
        TABLE,
        /**
         * A session lock per lock (PostgreSQL {@code pg_try_advisory_lock}, MariaDB and MySQL {@code GET_LOCK}),
         * each on a connection of its own held for the lock's lifetime, recorded in the lease table
         * too: the lock ends with its lease or with its database session, whichever ends first. Not
         * on H2; not behind a pooler in transaction mode.
         */
        SESSION;

        /** The URI's spelling, {@code table} or {@code session}. */
        String parameter() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final DataSource dataSource;
    private final HikariDataSource ownPool;
    private final LeaseTable table;
    private final String description;
    private final Watch watch;
    /** The session strategy's locks; null with the lease table. */
    private final SessionLocks sessions;
    /** The secret values of the settings (passwords), masked out of every driver message passed on. */
    private final Set<String> secrets;

    private JdbcLockBackend(DataSource dataSource, HikariDataSource ownPool, LeaseTable table, String description,
                            Watch.Opener listenerOpener, Duration heartbeat, Duration timeout, Duration retention,
                            Strategy strategy, Set<String> secrets) {
        this.secrets = secrets;
        this.dataSource = dataSource;
        this.ownPool = ownPool;
        this.table = table;
        this.description = description;
        this.watch = new Watch(this, table, listenerOpener, heartbeat, timeout, retention);
        this.sessions = strategy == Strategy.SESSION ? new SessionLocks(this, dataSource, table, timeout, heartbeat)
                : null;
    }

    /** A backend on the application's {@link DataSource}; the application keeps owning (and closes) it. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"), null);
    }

    /**
     * A backend on a HikariCP pool that distlock builds from {@code uri}, {@code jdbc:<driver URL>}
     * with optional {@code distlock.*} parameters; the builder's settings win over the URI's.
     */
    public static Builder builder(String uri) {
        return new Builder(null, JdbcSettings.parse(uri));
    }

    /** As {@code builder(uri).build()}. */
    public static JdbcLockBackend open(String uri) {
        return builder(uri).build();
    }

    // ------------------------------------------------------------------ operations

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * One unit of work on a pooled connection, committed if the pool hands out connections outside
     * auto-commit. Runs with the interrupt status cleared and then restored: a release must work from
     * an interrupted thread, and a pool or an embedded database may give up on an interrupted one.
     *
     * <p>An idempotent operation ({@code retryOnce}) whose pooled connection turns out to be dead
     * (killed by the server, or left over from before a restart; a pool does not re-validate a
     * connection used moments ago) is tried once more on another connection. An acquisition is not:
     * its statement may have run before the connection died, and the engine undoes such an attempt
     * by owner id.
     */
    private <T> T call(String operation, String name, boolean retryOnce, Work<T> work) {
        return guarded(operation, name, () -> {
            try {
                return once(work);
            } catch (SQLException first) {
                if (!retryOnce || !isDeadConnection(first)) {
                    throw first;
                }
                return once(work);
            }
        });
    }

    @FunctionalInterface
    private interface SqlCall<T> {
        T run() throws SQLException;
    }

    /** Runs {@code body} with the interrupt status cleared and restored; a failure is a {@link LockBackendException}. */
    private <T> T guarded(String operation, String name, SqlCall<T> body) {
        boolean interrupted = Thread.interrupted();
        try {
            return body.run();
        } catch (SQLException e) {
            watch.failed(e);
            String message = description + ": " + operation + (name == null ? "" : " '" + name + "'")
                    + " failed: " + explain(e);
            // A connection the server closed says so itself: the watch may already have found the
            // pool healthy again (it probes at once), so the engine must not rely on having seen
            // connectionLost to let a waiting acquisition try again (contract 6.4).
            throw isDeadConnection(e) ? new ConnectionUnavailableException(message, e) : new LockBackendException(message, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private <T> T once(Work<T> work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            try {
                T result = work.run(connection);
                if (!autoCommit) {
                    connection.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (!autoCommit) {
                    try {
                        connection.rollback();
                    } catch (SQLException ignored) {
                        // The original failure says more.
                    }
                }
                throw e;
            }
        }
    }

    /** One unit of work on a pooled connection whose failure only costs a debug line (tidying after a loss). */
    void quietly(String operation, String name, Work<?> work) {
        boolean interrupted = Thread.interrupted();
        try {
            once(work);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("{}: {} '{}' failed: {}", description, operation, name, masked(e));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A connection the server closed (not a pool that could not connect, not a timeout: those would only repeat). */
    static boolean isDeadConnection(SQLException failure) {
        if (failure instanceof SQLTransientConnectionException || failure instanceof SQLTimeoutException) {
            return false;
        }
        return failure instanceof SQLNonTransientConnectionException || failure instanceof SQLRecoverableException
                || (failure.getSQLState() != null && (failure.getSQLState().startsWith("08")
                || failure.getSQLState().equals("57P01")));
    }

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        if (sessions != null) {
            return guarded("acquire", request.name(), () -> sessions.acquire(request));
        }
        return call("acquire", request.name(), false, connection -> table.acquire(connection, request));
    }

    @Override
    public boolean release(String name, String ownerId) {
        if (sessions != null) {
            return guarded("release", name, () -> sessions.release(name, ownerId));
        }
        return call("release", name, true, connection -> table.release(connection, name, ownerId));
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        if (sessions != null) {
            return guarded("extend", name, () -> sessions.extend(name, ownerId, lease));
        }
        return call("extend", name, true, connection -> table.extend(connection, name, ownerId, lease));
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return call("inspect", name, true, connection -> sessions != null ? sessions.inspect(connection, name)
                : table.inspect(connection, name));
    }

    @Override
    public ListPage list(String prefix, int limit) {
        return call("list", prefix, true, connection -> sessions != null ? sessions.list(connection, prefix, limit)
                : table.list(connection, prefix, limit, row -> row));
    }

    @Override
    public boolean forceRelease(String name) {
        return call("forceRelease", name, true, connection -> sessions != null ? sessions.forceRelease(connection, name)
                : table.forceRelease(connection, name));
    }

    /** The watch's check that the pool hands out working connections. */
    void probe() throws SQLException {
        if (sessions != null && poolExhausted()) {
            // Every connection is out, held by session locks whose sessions are checked each
            // heartbeat: a database that went away shows there, and frees connections for this probe.
            return;
        }
        boolean interrupted = Thread.interrupted();
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(1)) {
                // Closed, it would go back to the pool as a good one (a false isValid is no failure
                // to the pool, and MySQL Connector/J answers false for a connection it found dead),
                // and a pool does not check a connection used moments ago: every later probe would
                // be handed the same dead connection, and the database would never be found back.
                discard(connection);
                throw new SQLException(description + " gave a connection that does not answer", "08006");
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Why the pool gives no working connection now, or null when it does. */
    Throwable probeFailure() {
        try {
            probe();
            return null;
        } catch (SQLException | RuntimeException e) {
            return e;
        }
    }

    /** The database is out of reach (seen by the session strategy): held locks are suspended. */
    void connectionFailed(Throwable cause) {
        watch.lost(cause);
    }

    /**
     * True when the pool (distlock's own, or an application's HikariCP pool) has every connection
     * lent out: with session locks that is the held locks' doing, not the database's.
     */
    boolean poolExhausted() {
        HikariDataSource hikari = ownPool != null ? ownPool : dataSource instanceof HikariDataSource h ? h : null;
        if (hikari == null) {
            return false;
        }
        HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
        return pool != null && pool.getActiveConnections() >= hikari.getMaximumPoolSize();
    }

    /**
     * Closes a lent connection's physical connection instead of pooling it again, so its database
     * session ends with whatever session lock it may hold.
     */
    void discard(Connection connection) {
        HikariDataSource hikari = ownPool != null ? ownPool : dataSource instanceof HikariDataSource h ? h : null;
        try {
            if (hikari != null) {
                hikari.evictConnection(connection);
                return;
            }
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            LOG.debug("{}: aborting a connection failed: {}", description, masked(e));
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            LOG.debug("{}: closing an aborted connection failed: {}", description, masked(e));
        }
    }

    int sweep(Duration retention) {
        return call("sweep", null, true, connection -> table.sweep(connection, retention));
    }

    @Override
    public void start(BackendEvents events) {
        watch.start(events);
        if (sessions != null) {
            sessions.start(events);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    /** The database's dialect, chosen from what the driver reports when the backend was built. */
    Dialect dialect() {
        return table.dialect;
    }

    @Override
    public void close() {
        if (sessions != null) {
            sessions.close();
        }
        watch.close();
        if (ownPool != null) {
            ownPool.close();
        }
    }

    @Override
    public String toString() {
        return description;
    }

    // ------------------------------------------------------------------ failures

    /** True when a failure means the database cannot be reached (as opposed to a refused statement). */
    static boolean isConnectionProblem(SQLException failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException || t instanceof SQLTimeoutException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception; 57P0x: PostgreSQL shutting down, crashed or starting.
                if (state.startsWith("08") || state.startsWith("57P0") || state.equals("HYT00")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** As {@link #explain(Throwable, Collection)} with this backend's secrets. */
    String explain(Throwable failure) {
        return explain(failure, secrets);
    }

    /** A driver's failure as text for a log line, its secrets masked. */
    String masked(Throwable failure) {
        return Secrets.maskText(String.valueOf(failure), secrets);
    }

    /**
     * The most telling message in a chain (a pool's timeout wraps the driver's real reason), with a
     * hint; URIs, secret parameters and the {@code secrets} (the passwords given) masked.
     */
    static String explain(Throwable failure, Collection<String> secrets) {
        failure = ConnectAdvice.withoutPoolState(failure);
        StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
        String state = null;
        Throwable deepest = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            deepest = t;
            if (t instanceof SQLException sql && sql.getSQLState() != null && state == null) {
                state = sql.getSQLState();
            }
            if (t.getCause() == null && t instanceof SQLException sql && sql.getNextException() != null) {
                deepest = sql.getNextException();
            }
        }
        if (deepest != failure && deepest.getMessage() != null && !text.toString().contains(deepest.getMessage())) {
            text.append(" (caused by ").append(deepest.getMessage()).append(')');
            if (deepest instanceof SQLException sql && sql.getSQLState() != null) {
                state = sql.getSQLState();
            }
        }
        String hint = ConnectAdvice.hint(failure, state, text.toString());
        if (hint != null) {
            text.append(" [").append(hint).append(']');
        }
        return Secrets.maskText(text.toString(), secrets);
    }

    // ------------------------------------------------------------------ building

    /** Settings of a {@link JdbcLockBackend}; unset ones come from the URI, else the defaults. */
    public static final class Builder {
        private final DataSource dataSource;
        private final JdbcSettings settings;
        private String namespace;
        private String table;
        private Duration timeout;
        private Duration connectTimeout;
        private Duration heartbeat;
        private Duration retention;
        private Integer poolSize;
        private Boolean createTable;
        private Boolean notifications;
        private Strategy strategy;

        private Builder(DataSource dataSource, JdbcSettings settings) {
            this.dataSource = dataSource;
            this.settings = settings;
        }

        /** Keys live under this namespace (default {@code distlock}): 1 to 100 of {@code A-Z a-z 0-9 . _ : -}. */
        public Builder namespace(String namespace) {
            this.namespace = requireNamespace(Objects.requireNonNull(namespace, "namespace"));
            return this;
        }

        /** The lease table (default {@code distlock_locks}): a lower-case identifier, optionally {@code schema.table}. */
        public Builder table(String table) {
            Objects.requireNonNull(table, "table");
            if (!LeaseTable.TABLE_NAME.matcher(table).matches()) {
                throw new IllegalArgumentException("table name '" + table + "' must be a lower-case SQL identifier "
                        + "(a-z, 0-9, _; at most 40 characters), optionally schema-qualified as schema.table");
            }
            this.table = table;
            return this;
        }

        /**
         * The bound on every call (default 2 s): JDBC query timeout (rounded up to whole seconds, JDBC's
         * unit), and with distlock's own pool the wait for a connection and the drivers' connect and
         * socket timeouts.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Durations.requirePositive("timeout", timeout);
            return this;
        }

        /**
         * With distlock's own pool, the bound on getting a connection (default 5 s): Hikari's
         * {@code connectionTimeout}, and a little less for the driver's connect and login timeouts, so
         * the driver's own reason is what the failure reports.
         */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Durations.requirePositive("connectTimeout", connectTimeout);
            return this;
        }

        /** How often the connection is checked while idle (default 1 s); also the LISTEN poll. */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = Durations.requirePositive("heartbeat", heartbeat);
            return this;
        }

        /** How long a released row is kept before it is swept (default 1 h; at least a minute). */
        public Builder retention(Duration retention) {
            Durations.requirePositive("retention", retention);
            if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
                throw new IllegalArgumentException("retention " + retention + " must be at least 1 minute: a row must "
                        + "outlive every statement that may still be running against it");
            }
            this.retention = retention;
            return this;
        }

        /**
         * Connections of distlock's own pool (default 8); ignored with the application's DataSource.
         * With session locks each held lock keeps one: at least the locks held at once, plus 2.
         */
        public Builder poolSize(int poolSize) {
            if (poolSize < 1) {
                throw new IllegalArgumentException("poolSize must be at least 1 but was " + poolSize);
            }
            this.poolSize = poolSize;
            return this;
        }

        /** Create the table and sequence when missing (default true); off: they must exist (see the schema scripts). */
        public Builder createTable(boolean createTable) {
            this.createTable = createTable;
            return this;
        }

        /**
         * On PostgreSQL, wake waiters through LISTEN/NOTIFY (default true): one connection stays open
         * for it (taken from the application's DataSource, or opened next to distlock's own pool).
         */
        public Builder notifications(boolean notifications) {
            this.notifications = notifications;
            return this;
        }

        /**
         * How locks are held (default {@link Strategy#TABLE}); {@link Strategy#SESSION} needs
         * PostgreSQL, MariaDB or MySQL, and a connection per held lock (see the module README).
         */
        public Builder strategy(Strategy strategy) {
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        private static Strategy strategy(BackendUri uri) {
            String value = uri.string(JdbcSettings.STRATEGY, Strategy.TABLE.parameter());
            for (Strategy known : Strategy.values()) {
                if (known.parameter().equalsIgnoreCase(value)) {
                    return known;
                }
            }
            throw uri.invalid("has " + JdbcSettings.STRATEGY + "=" + value + ", which must be one of: table (the "
                    + "lease table, the default), session (session locks: advisory locks, GET_LOCK)");
        }

        private static String requireNamespace(String namespace) {
            if (!NAMESPACE.matcher(namespace).matches()) {
                throw new IllegalArgumentException("namespace '" + namespace + "' must be 1 to 100 characters of "
                        + "A-Z a-z 0-9 . _ : -");
            }
            return namespace;
        }

        /**
         * Connects, creates or checks the table, and returns the backend.
         *
         * @throws IllegalArgumentException on a bad setting or URI, or an unsupported database
         * @throws LockBackendException     when the database cannot be reached within the timeout (wrong
         *                                  credentials, missing database, down) or its table has the wrong shape
         */
        public JdbcLockBackend build() {
            String namespace = this.namespace;
            String table = this.table;
            Duration timeout = this.timeout;
            Duration connectTimeout = this.connectTimeout;
            Duration heartbeat = this.heartbeat;
            Duration retention = this.retention;
            int poolSize = this.poolSize != null ? this.poolSize : DEFAULT_POOL_SIZE;
            boolean create = createTable != null ? createTable : true;
            boolean notify = notifications != null ? notifications : true;
            Strategy strategy = this.strategy;
            if (settings != null) {
                var uri = settings.uri();
                namespace = namespace != null ? namespace
                        : requireNamespace(uri.string(JdbcSettings.NAMESPACE, DEFAULT_NAMESPACE));
                if (table == null) {
                    table = uri.string(JdbcSettings.TABLE, LeaseTable.DEFAULT_TABLE);
                    if (!LeaseTable.TABLE_NAME.matcher(table).matches()) {
                        throw uri.invalid("has " + JdbcSettings.TABLE + "=" + table + ", which must be a lower-case SQL "
                                + "identifier (a-z, 0-9, _; at most 40 characters), optionally schema.table");
                    }
                }
                timeout = timeout != null ? timeout : uri.positiveDuration(JdbcSettings.TIMEOUT, DEFAULT_TIMEOUT);
                connectTimeout = connectTimeout != null ? connectTimeout
                        : uri.positiveDuration(JdbcSettings.CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
                heartbeat = heartbeat != null ? heartbeat : uri.positiveDuration(JdbcSettings.HEARTBEAT, DEFAULT_HEARTBEAT);
                if (retention == null) {
                    retention(uri.positiveDuration(JdbcSettings.RETENTION, DEFAULT_RETENTION));
                    retention = this.retention;
                }
                poolSize = this.poolSize != null ? poolSize : uri.wholeNumber(JdbcSettings.POOL_SIZE, 1, DEFAULT_POOL_SIZE);
                create = createTable != null ? create : uri.bool(JdbcSettings.CREATE_TABLE, true);
                // Read even when the builder decides: a URI with both words at odds is refused all the same.
                boolean notifyInUri = settings.notifications();
                notify = notifications != null ? notify : notifyInUri;
                strategy = strategy != null ? strategy : strategy(uri);
            }
            strategy = strategy != null ? strategy : Strategy.TABLE;
            namespace = namespace != null ? namespace : DEFAULT_NAMESPACE;
            table = table != null ? table : LeaseTable.DEFAULT_TABLE;
            timeout = timeout != null ? timeout : DEFAULT_TIMEOUT;
            connectTimeout = connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT;
            heartbeat = heartbeat != null ? heartbeat : DEFAULT_HEARTBEAT;
            retention = retention != null ? retention : DEFAULT_RETENTION;

            HikariDataSource ownPool = null;
            DataSource source = dataSource;
            Set<String> secrets = settings != null ? settings.secrets() : Set.of();
            String where;
            if (settings != null) {
                ownPool = pool(settings, timeout, connectTimeout, poolSize);
                source = ownPool;
                where = settings.uri().masked();
            } else {
                where = "the application's DataSource";
            }
            try {
                Dialect dialect;
                String url;
                boolean interrupted = Thread.interrupted();
                try (Connection connection = source.getConnection()) {
                    DatabaseMetaData meta = connection.getMetaData();
                    url = meta.getURL();
                    dialect = Dialect.of(meta.getDatabaseProductName(), meta.getDatabaseProductVersion(),
                            meta.getDatabaseMajorVersion(), meta.getDatabaseMinorVersion());
                    if (settings == null && url != null) {
                        where = Secrets.mask(url);
                    }
                    if (strategy == Strategy.SESSION && dialect == Dialect.H2) {
                        throw new IllegalArgumentException("strategy session is not available on H2 (" + where
                                + "): H2 has no session locks (PostgreSQL pg_try_advisory_lock, MariaDB and MySQL GET_LOCK); use "
                                + "strategy table, the default");
                    }
                    LeaseTable leaseTable = new LeaseTable(dialect, table, namespace, timeout);
                    Schema.prepare(connection, leaseTable, create, where);
                    String description = "jdbc " + where + " (table " + table + ", namespace " + namespace
                            + (strategy == Strategy.SESSION ? ", session locks" : "") + ")";
                    Watch.Opener opener = null;
                    if (notify && dialect == Dialect.POSTGRESQL) {
                        opener = settings != null ? listenerOpener(settings, timeout, connectTimeout)
                                : dataSource::getConnection;
                    }
                    return new JdbcLockBackend(source, ownPool, leaseTable, description, opener, heartbeat, timeout,
                            retention, strategy, secrets);
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            } catch (SQLException e) {
                closeQuietly(ownPool);
                throw new LockBackendException("jdbc backend could not use " + where + ": " + explain(e, secrets), e);
            } catch (RuntimeException e) {
                closeQuietly(ownPool);
                throw e;
            }
        }

        private static void closeQuietly(HikariDataSource pool) {
            if (pool != null) {
                pool.close();
            }
        }

        private static HikariDataSource pool(JdbcSettings settings, Duration timeout, Duration connectTimeout,
                                             int poolSize) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("distlock-jdbc");
            config.setJdbcUrl(settings.driverUrl());
            if (settings.user() != null) {
                config.setUsername(settings.user());
            }
            if (settings.password() != null) {
                config.setPassword(settings.password());
            }
            config.setDataSourceProperties(driverProperties(settings, timeout, connectTimeout));
            long millis = Math.max(250, connectTimeout.toMillis());
            config.setConnectionTimeout(millis);
            config.setValidationTimeout(Math.max(250, Math.min(millis, timeout.toMillis()) / 2));
            config.setMaximumPoolSize(poolSize);
            config.setMinimumIdle(1);
            // Connect on first use, so the first use's failure carries the driver's reason.
            config.setInitializationFailTimeout(-1);
            config.setAutoCommit(true);
            try {
                return new HikariDataSource(config);
            } catch (RuntimeException e) {
                throw settings.uri().invalid("cannot be opened: " + explain(e, settings.secrets()), e);
            }
        }

        /** The URI's driver parameters plus connect and socket timeouts where the URI sets none. */
        private static Properties driverProperties(JdbcSettings settings, Duration timeout, Duration connectTimeout) {
            Properties properties = new Properties();
            properties.putAll(settings.driverProperties());
            long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
            // Shorter than the pool's wait, so the pool reports the driver's reason rather than its own timeout.
            long connectSeconds = Math.max(1, connectTimeout.toSeconds() - 1);
            long connectMillis = Math.max(250, connectTimeout.toMillis() - 500);
            switch (settings.subprotocol()) {
                case "postgresql" -> {
                    properties.putIfAbsent("connectTimeout", Long.toString(connectSeconds));
                    properties.putIfAbsent("loginTimeout", Long.toString(connectSeconds));
                    // A read may wait this long: a query's own timeout is cancelled first.
                    properties.putIfAbsent("socketTimeout", Long.toString(seconds + 1));
                }
                case "mariadb", "mysql" -> {
                    properties.putIfAbsent("connectTimeout", Long.toString(connectMillis));
                    properties.putIfAbsent("socketTimeout", Long.toString(timeout.toMillis() + 1000));
                }
                default -> {
                    // H2 and others: their own URL settings.
                }
            }
            return properties;
        }

        /** The listening connection of distlock's own pool: opened beside it, so it never takes a pooled slot. */
        private static Watch.Opener listenerOpener(JdbcSettings settings, Duration timeout, Duration connectTimeout) {
            return () -> {
                Properties properties = driverProperties(settings, timeout, connectTimeout);
                if (settings.user() != null) {
                    properties.setProperty("user", settings.user());
                }
                if (settings.password() != null) {
                    properties.setProperty("password", settings.password());
                }
                return DriverManager.getConnection(settings.driverUrl(), properties);
            };
        }
    }
}
