package io.distlock.jdbc;

import io.distlock.ListPage;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.Durations;
import io.distlock.spi.LockBackend;
import io.distlock.spi.Namespaces;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

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

    private final JdbcConnections connections;
    private final LockStrategy locks;
    private final Watch watch;

    private JdbcLockBackend(JdbcConnections connections, LockStrategy locks, Watch watch) {
        this.connections = connections;
        this.locks = locks;
        this.watch = watch;
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

    @Override
    public AcquireResult tryAcquire(AcquireRequest request) {
        return locks.acquire(request);
    }

    @Override
    public boolean release(String name, String ownerId) {
        return locks.release(name, ownerId);
    }

    @Override
    public boolean extend(String name, String ownerId, Duration lease) {
        return locks.extend(name, ownerId, lease);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return locks.inspect(name);
    }

    @Override
    public ListPage list(String prefix, int limit) {
        return locks.list(prefix, limit);
    }

    @Override
    public boolean forceRelease(String name) {
        return locks.forceRelease(name);
    }

    @Override
    public void start(BackendEvents events) {
        watch.start(events);
        locks.start(events);
    }

    @Override
    public String describe() {
        return connections.describe();
    }

    /** The database's dialect, chosen from what the driver reports when the backend was built. */
    Dialect dialect() {
        return connections.dialect();
    }

    @Override
    public void close() {
        locks.close();
        watch.close();
        connections.close();
    }

    @Override
    public String toString() {
        return connections.describe();
    }

    /**
     * Opens the backend on its first connection: the table checked (or created), then the strategy
     * chosen, once, and the watch's jobs for this database.
     */
    private static JdbcLockBackend open(JdbcConnections connections, Connection first, JdbcOptions options)
            throws SQLException {
        Dialect dialect = connections.dialect();
        boolean session = options.strategy() == Strategy.SESSION;
        if (session && dialect == Dialect.H2) {
            throw new IllegalArgumentException("strategy session is not available on H2 (" + connections.where()
                    + "): H2 has no session locks (PostgreSQL pg_try_advisory_lock, MariaDB and MySQL GET_LOCK); use "
                    + "strategy table, the default");
        }
        LeaseTable table = new LeaseTable(dialect, options.table(), options.namespace(), options.timeout());
        Schema.prepare(first, table, options.createTable(), connections.where());
        LockStrategy locks = session ? new SessionLocks(connections, table, options.timeout(), options.heartbeat())
                : new TableLocks(connections, table);
        Watch.Heartbeat heartbeat = options.notifications() && dialect == Dialect.POSTGRESQL
                ? new ReleaseListener(connections, table, options.heartbeat(), options.timeout())
                : new HealthProbe(connections, options.heartbeat());
        Watch watch = new Watch(connections.health(), heartbeat,
                new RowSweeper(connections, table, options.retention()),
                options.heartbeat().plus(options.timeout()).plus(options.timeout()));
        return new JdbcLockBackend(connections, locks, watch);
    }

    /** Settings of a {@link JdbcLockBackend}; unset ones come from the URI, else the defaults. */
    public static final class Builder {
        /** Exactly one of these two: the application's DataSource, or the URI distlock pools itself. */
        private final @Nullable DataSource dataSource;
        private final @Nullable JdbcSettings settings;
        private final JdbcOptions.Chosen chosen = new JdbcOptions.Chosen();

        private Builder(@Nullable DataSource dataSource, @Nullable JdbcSettings settings) {
            this.dataSource = dataSource;
            this.settings = settings;
        }

        /** Keys live under this namespace (default {@code distlock}): 1 to 100 of {@code A-Z a-z 0-9 . _ : -}. */
        public Builder namespace(String namespace) {
            chosen.options.namespace(Namespaces.requireValid(Objects.requireNonNull(namespace, "namespace")));
            return this;
        }

        /** The lease table (default {@code distlock_locks}): a lower-case identifier, optionally {@code schema.table}. */
        public Builder table(String table) {
            chosen.table = JdbcOptions.requireTable(Objects.requireNonNull(table, "table"));
            return this;
        }

        /**
         * The bound on every call (default 2 s): JDBC query timeout (rounded up to whole seconds, JDBC's
         * unit), and with distlock's own pool the wait for a connection and the drivers' connect and
         * socket timeouts.
         */
        public Builder timeout(Duration timeout) {
            chosen.options.timeout(timeout);
            return this;
        }

        /**
         * With distlock's own pool, the bound on getting a connection (default 5 s): Hikari's
         * connection timeout, and a little less for the driver's connect and login timeouts, so
         * the driver's own reason is what the failure reports.
         */
        public Builder connectTimeout(Duration connectTimeout) {
            chosen.options.connectTimeout(connectTimeout);
            return this;
        }

        /** How often the connection is checked while idle (default 1 s); also the LISTEN poll. */
        public Builder heartbeat(Duration heartbeat) {
            chosen.heartbeat = Durations.requirePositive("heartbeat", heartbeat);
            return this;
        }

        /** How long a released row is kept before it is swept (default 1 h; at least a minute). */
        public Builder retention(Duration retention) {
            chosen.retention = JdbcOptions.requireRetention(retention);
            return this;
        }

        /**
         * Connections of distlock's own pool (default 8); ignored with the application's DataSource.
         * With session locks each held lock keeps one: at least the locks held at once, plus 2.
         */
        public Builder poolSize(int poolSize) {
            chosen.poolSize = JdbcOptions.requirePoolSize(poolSize);
            return this;
        }

        /** Create the table and sequence when missing (default true); off: they must exist (see the schema scripts). */
        public Builder createTable(boolean createTable) {
            chosen.createTable = createTable;
            return this;
        }

        /**
         * On PostgreSQL, wake waiters through LISTEN/NOTIFY (default true): one connection stays open
         * for it (taken from the application's DataSource, or opened next to distlock's own pool).
         */
        public Builder notifications(boolean notifications) {
            chosen.options.notifications(notifications);
            chosen.notificationsChosen = true;
            return this;
        }

        /**
         * How locks are held (default {@link Strategy#TABLE}); {@link Strategy#SESSION} needs
         * PostgreSQL, MariaDB or MySQL, and a connection per held lock (see the module README).
         */
        public Builder strategy(Strategy strategy) {
            chosen.strategy = Objects.requireNonNull(strategy, "strategy");
            return this;
        }

        /**
         * Connects, creates or checks the table, and returns the backend.
         *
         * @throws IllegalArgumentException on a bad setting or URI, or an unsupported database
         * @throws LockBackendException     when the database cannot be reached within the timeout (wrong
         *                                  credentials, missing database, down) or its table has the wrong shape
         */
        public JdbcLockBackend build() {
            JdbcOptions options = JdbcOptions.resolve(chosen, settings);
            return JdbcConnections.open(dataSource, settings, options,
                    (connections, first) -> JdbcLockBackend.open(connections, first, options));
        }
    }
}
