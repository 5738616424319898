package io.distlock.jdbc;

import io.distlock.spi.BackendOptions;
import io.distlock.spi.BackendUri;
import io.distlock.spi.Durations;
import io.distlock.spi.Namespaces;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a backend opens with: for each setting the builder's choice, else the URI's, else the
 * default. The defaults and the settings' rules are written here only, but for the namespace's,
 * which is every backend's ({@link Namespaces}).
 *
 * <p>The vocabulary's settings (namespace, timeout, connectTimeout, notifications) are resolved by
 * the SPI's {@link BackendOptions}, as in every backend, with the {@code distlock.} prefix that
 * keeps this backend's URI parameters apart from the driver's ({@link JdbcSettings}); the rest are
 * this backend's own.
 */
record JdbcOptions(String namespace, String table, Duration timeout, Duration connectTimeout, Duration heartbeat,
                   Duration retention, int poolSize, boolean createTable, boolean notifications,
                   JdbcLockBackend.Strategy strategy) {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** A cold JVM's first connection (driver classes, TLS negotiation, SCRAM) can take seconds on a busy host. */
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(1);
    static final Duration DEFAULT_RETENTION = Duration.ofHours(1);
    static final int DEFAULT_POOL_SIZE = 8;

    /** The builder's choices; null where it made none. */
    static final class Chosen {
        /** The vocabulary's settings; the URI's old {@code distlock.notify} is read with a warning. */
        final BackendOptions options = new BackendOptions(JdbcSettings.PREFIX, null, "notify");
        boolean notificationsChosen;
        @Nullable String table;
        @Nullable Duration heartbeat;
        @Nullable Duration retention;
        @Nullable Integer poolSize;
        @Nullable Boolean createTable;
        JdbcLockBackend.@Nullable Strategy strategy;
    }

    /** {@code chosen}, completed from {@code settings} (null with the application's DataSource) and the defaults. */
    static JdbcOptions resolve(Chosen chosen, @Nullable JdbcSettings settings) {
        BackendUri uri = settings == null ? null : settings.uri();
        String where = uri == null ? "jdbc backend on the application's DataSource" : uri.masked();
        String namespace = chosen.options.resolveNamespace(uri);
        Duration timeout = chosen.options.resolveTimeout(uri, DEFAULT_TIMEOUT, JdbcLockBackend.class, where);
        Duration connectTimeout = chosen.options.resolveConnectTimeout(uri, DEFAULT_CONNECT_TIMEOUT);
        boolean notify = chosen.options.resolveNotifications(uri, true, JdbcLockBackend.class, where);
        String table = chosen.table;
        Duration heartbeat = chosen.heartbeat;
        Duration retention = chosen.retention;
        int poolSize = chosen.poolSize != null ? chosen.poolSize : DEFAULT_POOL_SIZE;
        boolean create = chosen.createTable != null ? chosen.createTable : true;
        JdbcLockBackend.Strategy strategy = chosen.strategy;
        if (settings != null && uri != null) {
            if (table == null) {
                table = uri.string(JdbcSettings.TABLE, LeaseTable.DEFAULT_TABLE);
                if (!LeaseTable.TABLE_NAME.matcher(table).matches()) {
                    throw uri.invalid("has " + JdbcSettings.TABLE + "=" + table + ", which must be a lower-case SQL "
                            + "identifier (a-z, 0-9, _; at most 40 characters), optionally schema.table");
                }
            }
            heartbeat = heartbeat != null ? heartbeat : uri.positiveDuration(JdbcSettings.HEARTBEAT, DEFAULT_HEARTBEAT);
            retention = retention != null ? retention
                    : requireRetention(uri.positiveDuration(JdbcSettings.RETENTION, DEFAULT_RETENTION));
            poolSize = chosen.poolSize != null ? poolSize : uri.wholeNumber(JdbcSettings.POOL_SIZE, 1, DEFAULT_POOL_SIZE);
            create = chosen.createTable != null ? create : uri.bool(JdbcSettings.CREATE_TABLE, true);
            if (chosen.notificationsChosen) {
                // Read although the builder decides: a URI with both words at odds is refused all the same.
                settings.notifications();
            }
            strategy = strategy != null ? strategy : strategy(uri);
        }
        return new JdbcOptions(namespace, table != null ? table : LeaseTable.DEFAULT_TABLE, timeout, connectTimeout,
                heartbeat != null ? heartbeat : DEFAULT_HEARTBEAT,
                retention != null ? retention : DEFAULT_RETENTION,
                poolSize, create, notify, strategy != null ? strategy : JdbcLockBackend.Strategy.TABLE);
    }

    private static JdbcLockBackend.Strategy strategy(BackendUri uri) {
        String value = uri.string(JdbcSettings.STRATEGY, JdbcLockBackend.Strategy.TABLE.parameter());
        for (JdbcLockBackend.Strategy known : JdbcLockBackend.Strategy.values()) {
            if (known.parameter().equalsIgnoreCase(value)) {
                return known;
            }
        }
        throw uri.invalid("has " + JdbcSettings.STRATEGY + "=" + value + ", which must be one of: table (the "
                + "lease table, the default), session (session locks: advisory locks, GET_LOCK)");
    }

    static String requireTable(String table) {
        if (!LeaseTable.TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("table name '" + table + "' must be a lower-case SQL identifier "
                    + "(a-z, 0-9, _; at most 40 characters), optionally schema-qualified as schema.table");
        }
        return table;
    }

    static Duration requireRetention(Duration retention) {
        Durations.requirePositive("retention", retention);
        if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("retention " + retention + " must be at least 1 minute: a row must "
                    + "outlive every statement that may still be running against it");
        }
        return retention;
    }

    static int requirePoolSize(int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1 but was " + poolSize);
        }
        return poolSize;
    }
}
