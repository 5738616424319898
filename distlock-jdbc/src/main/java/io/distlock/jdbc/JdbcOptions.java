package io.distlock.jdbc;

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
 * <p>The SPI's {@code BackendOptions} does not resolve these: it reads a URI's parameters under the
 * bare words ({@code timeout}), and this backend's parameters carry the {@code distlock.} prefix
 * that keeps them apart from the driver's ({@link JdbcSettings}).
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
        @Nullable String namespace;
        @Nullable String table;
        @Nullable Duration timeout;
        @Nullable Duration connectTimeout;
        @Nullable Duration heartbeat;
        @Nullable Duration retention;
        @Nullable Integer poolSize;
        @Nullable Boolean createTable;
        @Nullable Boolean notifications;
        JdbcLockBackend.@Nullable Strategy strategy;
    }

    /** {@code chosen}, completed from {@code settings} (null with the application's DataSource) and the defaults. */
    static JdbcOptions resolve(Chosen chosen, @Nullable JdbcSettings settings) {
        String namespace = chosen.namespace;
        String table = chosen.table;
        Duration timeout = chosen.timeout;
        Duration connectTimeout = chosen.connectTimeout;
        Duration heartbeat = chosen.heartbeat;
        Duration retention = chosen.retention;
        int poolSize = chosen.poolSize != null ? chosen.poolSize : DEFAULT_POOL_SIZE;
        boolean create = chosen.createTable != null ? chosen.createTable : true;
        boolean notify = chosen.notifications != null ? chosen.notifications : true;
        JdbcLockBackend.Strategy strategy = chosen.strategy;
        if (settings != null) {
            BackendUri uri = settings.uri();
            namespace = namespace != null ? namespace
                    : Namespaces.requireValid(uri.string(JdbcSettings.NAMESPACE, Namespaces.DEFAULT), uri);
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
            retention = retention != null ? retention
                    : requireRetention(uri.positiveDuration(JdbcSettings.RETENTION, DEFAULT_RETENTION));
            poolSize = chosen.poolSize != null ? poolSize : uri.wholeNumber(JdbcSettings.POOL_SIZE, 1, DEFAULT_POOL_SIZE);
            create = chosen.createTable != null ? create : uri.bool(JdbcSettings.CREATE_TABLE, true);
            // Read even when the builder decides: a URI with both words at odds is refused all the same.
            boolean notifyInUri = settings.notifications();
            notify = chosen.notifications != null ? notify : notifyInUri;
            strategy = strategy != null ? strategy : strategy(uri);
        }
        return new JdbcOptions(namespace != null ? namespace : Namespaces.DEFAULT,
                table != null ? table : LeaseTable.DEFAULT_TABLE,
                timeout != null ? timeout : DEFAULT_TIMEOUT,
                connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT,
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
