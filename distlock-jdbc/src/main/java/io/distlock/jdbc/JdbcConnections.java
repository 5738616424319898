package io.distlock.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.distlock.LockBackendException;
import io.distlock.spi.ConnectionUnavailableException;
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
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The lowest room of the backend, under both strategies: the pool (the application's DataSource,
 * or a HikariCP pool distlock builds from the URI), the dialect the database reported, the
 * connection's health, and what a driver's failure means: a {@link LockBackendException}, or a
 * {@link ConnectionUnavailableException} when the server closed the connection, with the driver's
 * reason, a hint, and the secrets masked.
 */
final class JdbcConnections {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcConnections.class);

    /** Opens a connection outside the pool; the caller closes it. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    /** What the backend does with its first connection (check the table) to finish opening. */
    @FunctionalInterface
    interface Opening<T> {
        T open(JdbcConnections connections, Connection first) throws SQLException;
    }

    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    @FunctionalInterface
    interface SqlCall<T> {
        T run() throws SQLException;
    }

    private final DataSource dataSource;
    /** distlock's own pool, closed with the backend; null on the application's DataSource. */
    private final @Nullable HikariDataSource ownPool;
    /** The URI's settings; null on the application's DataSource. */
    private final @Nullable JdbcSettings settings;
    private final JdbcOptions options;
    private final Dialect dialect;
    private final String where;
    private final String description;
    /** The secret values of the settings (passwords), masked out of every driver message passed on. */
    private final Set<String> secrets;
    /** Session locks keep pooled connections: a pool with all of them lent out is then no sign of trouble. */
    private final boolean locksKeepConnections;
    private final ConnectionHealth health;

    private JdbcConnections(DataSource dataSource, @Nullable HikariDataSource ownPool, @Nullable JdbcSettings settings,
                            JdbcOptions options,
                            Dialect dialect, String where, Set<String> secrets) {
        this.dataSource = dataSource;
        this.ownPool = ownPool;
        this.settings = settings;
        this.options = options;
        this.dialect = dialect;
        this.where = where;
        this.secrets = secrets;
        this.locksKeepConnections = options.strategy() == JdbcLockBackend.Strategy.SESSION;
        this.description = "jdbc " + where + " (table " + options.table() + ", namespace " + options.namespace()
                + (locksKeepConnections ? ", session locks" : "") + ")";
        this.health = new ConnectionHealth(description, secrets);
    }

    /**
     * Connects (to {@code application}, or to a pool built from {@code settings}), reads the dialect,
     * and hands the first connection to {@code opening}; a failure closes the pool built here.
     *
     * @throws LockBackendException when the database cannot be reached within the timeout
     */
    static <T> T open(@Nullable DataSource application, @Nullable JdbcSettings settings, JdbcOptions options,
                      Opening<T> opening) {
        HikariDataSource ownPool = null;
        DataSource source;
        Set<String> secrets = settings != null ? settings.secrets() : Set.of();
        String where;
        if (settings != null) {
            ownPool = pool(settings, options);
            source = ownPool;
            where = settings.uri().masked();
        } else {
            source = Objects.requireNonNull(application, "a DataSource or a URI");
            where = "the application's DataSource";
        }
        try {
            boolean interrupted = Thread.interrupted();
            try (Connection connection = source.getConnection()) {
                DatabaseMetaData meta = connection.getMetaData();
                String url = meta.getURL();
                Dialect dialect = Dialect.of(meta.getDatabaseProductName(), meta.getDatabaseProductVersion(),
                        meta.getDatabaseMajorVersion(), meta.getDatabaseMinorVersion());
                if (settings == null && url != null) {
                    where = Secrets.mask(url);
                }
                return opening.open(new JdbcConnections(source, ownPool, settings, options, dialect, where, secrets),
                        connection);
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

    Dialect dialect() {
        return dialect;
    }

    /** The database as people know it: the masked URI, or the application DataSource's URL. */
    String where() {
        return where;
    }

    String describe() {
        return description;
    }

    ConnectionHealth health() {
        return health;
    }

    /** A pooled connection, lent to the caller until it closes it. */
    Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    /**
     * Opens the connection PostgreSQL's LISTEN keeps: with distlock's own pool beside it, so it never
     * takes a pooled slot; on the application's DataSource, from it.
     */
    Opener listening() {
        JdbcSettings uri = settings;
        if (uri == null) {
            return dataSource::getConnection;
        }
        return () -> {
            Properties properties = driverProperties(uri, options);
            String user = uri.user();
            if (user != null) {
                properties.setProperty("user", user);
            }
            String password = uri.password();
            if (password != null) {
                properties.setProperty("password", password);
            }
            return DriverManager.getConnection(uri.driverUrl(), properties);
        };
    }

    // ------------------------------------------------------------------ units of work

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
    <T> T call(String operation, @Nullable String name, boolean retryOnce, Work<T> work) {
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

    /** Runs {@code body} with the interrupt status cleared and restored; a failure is a {@link LockBackendException}. */
    <T> T guarded(String operation, @Nullable String name, SqlCall<T> body) {
        boolean interrupted = Thread.interrupted();
        try {
            return body.run();
        } catch (SQLException e) {
            health.failed(e);
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

    // ------------------------------------------------------------------ the pool's health

    /** Checks that the pool hands out working connections. */
    void probe() throws SQLException {
        if (locksKeepConnections && poolExhausted()) {
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
    @Nullable Throwable probeFailure() {
        try {
            probe();
            return null;
        } catch (SQLException | RuntimeException e) {
            return e;
        }
    }

    /**
     * True when the pool (distlock's own, or an application's HikariCP pool) has every connection
     * lent out: with session locks that is the held locks' doing, not the database's.
     */
    boolean poolExhausted() {
        HikariDataSource hikari = hikari();
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
        HikariDataSource hikari = hikari();
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

    private @Nullable HikariDataSource hikari() {
        return ownPool != null ? ownPool : dataSource instanceof HikariDataSource h ? h : null;
    }

    /** Closes distlock's own pool; the application's stays open. */
    void close() {
        closeQuietly(ownPool);
    }

    /** JDBC's timeouts are whole seconds: {@code duration} rounded up, at least 1. */
    static int wholeSeconds(Duration duration) {
        return (int) Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    // ------------------------------------------------------------------ failures

    /** A connection the server closed (not a pool that could not connect, not a timeout: those would only repeat). */
    static boolean isDeadConnection(SQLException failure) {
        if (failure instanceof SQLTransientConnectionException || failure instanceof SQLTimeoutException) {
            return false;
        }
        return failure instanceof SQLNonTransientConnectionException || failure instanceof SQLRecoverableException
                || (failure.getSQLState() != null && (failure.getSQLState().startsWith("08")
                || failure.getSQLState().equals("57P01")));
    }

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
        @Nullable String state = null;
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

    // ------------------------------------------------------------------ distlock's own pool

    private static void closeQuietly(@Nullable HikariDataSource pool) {
        if (pool != null) {
            pool.close();
        }
    }

    private static HikariDataSource pool(JdbcSettings settings, JdbcOptions options) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("distlock-jdbc");
        config.setJdbcUrl(settings.driverUrl());
        String user = settings.user();
        if (user != null) {
            config.setUsername(user);
        }
        String password = settings.password();
        if (password != null) {
            config.setPassword(password);
        }
        config.setDataSourceProperties(driverProperties(settings, options));
        long millis = Math.max(250, options.connectTimeout().toMillis());
        config.setConnectionTimeout(millis);
        config.setValidationTimeout(Math.max(250, Math.min(millis, options.timeout().toMillis()) / 2));
        config.setMaximumPoolSize(options.poolSize());
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
    private static Properties driverProperties(JdbcSettings settings, JdbcOptions options) {
        Properties properties = new Properties();
        properties.putAll(settings.driverProperties());
        Duration timeout = options.timeout();
        Duration connectTimeout = options.connectTimeout();
        // Shorter than the pool's wait, so the pool reports the driver's reason rather than its own timeout.
        long connectSeconds = Math.max(1, connectTimeout.toSeconds() - 1);
        long connectMillis = Math.max(250, connectTimeout.toMillis() - 500);
        switch (settings.subprotocol()) {
            case "postgresql" -> {
                properties.putIfAbsent("connectTimeout", Long.toString(connectSeconds));
                properties.putIfAbsent("loginTimeout", Long.toString(connectSeconds));
                // A read may wait this long: a query's own timeout is cancelled first.
                properties.putIfAbsent("socketTimeout", Long.toString(wholeSeconds(timeout) + 1));
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
}
