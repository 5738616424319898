package io.distlock.spring;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.Ordered;

/**
 * {@code distlock.*}. Durations are strings in distlock's one grammar ({@code 500ms}, {@code 20s},
 * {@code 1m30s}, ISO-8601), the same as in backend URIs and annotations; each is checked at start-up
 * and a bad one stops the context with a message naming the property.
 */
@ConfigurationProperties(prefix = "distlock")
public class DistlockProperties {
    /**
     * The backend URI: {@code file:} (the default, a directory on this host), {@code file:/var/lib/distlock},
     * {@code redis://host:6379}, {@code jdbc:postgresql://db:5432/app} (a pool of distlock's own), or
     * {@code jdbc:} alone: the application's {@code DataSource} (both with distlock-jdbc), ...
     */
    private String uri = "file:";
    /** The namespace the locks live under, passed to the backend as {@code ?namespace=}; empty: the backend's default ({@code distlock}). */
    private @Nullable String namespace;
    // The three defaults are io.distlock.LockDefaults'; written here as literals because the
    // configuration metadata (the IDE's hints) records only a literal initial value.
    // DistlockPropertiesTest fails when one differs from LockDefaults.
    /** The default lease. */
    private String lease = "20s";
    /** The default wait for a busy lock: {@code 0} tries once, {@code forever} never gives up. */
    private String wait = "10s";
    /** The pause between polls of a busy lock (jittered +-50 %). */
    private String retryInterval = "50ms";
    /** Renew leases while locks are held, by default. */
    private boolean autoRenew;
    private final Jdbc jdbc = new Jdbc();
    private final Health health = new Health();
    private final Endpoint endpoint = new Endpoint();
    private final Aop aop = new Aop();

    public String getUri() {
        return uri;
    }

    public void setUri(String uri) {
        this.uri = uri;
    }

    public @Nullable String getNamespace() {
        return namespace;
    }

    public void setNamespace(@Nullable String namespace) {
        this.namespace = namespace;
    }

    public String getLease() {
        return lease;
    }

    public void setLease(String lease) {
        this.lease = lease;
    }

    public String getWait() {
        return wait;
    }

    public void setWait(String wait) {
        this.wait = wait;
    }

    public String getRetryInterval() {
        return retryInterval;
    }

    public void setRetryInterval(String retryInterval) {
        this.retryInterval = retryInterval;
    }

    public boolean isAutoRenew() {
        return autoRenew;
    }

    public void setAutoRenew(boolean autoRenew) {
        this.autoRenew = autoRenew;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Health getHealth() {
        return health;
    }

    public Aop getAop() {
        return aop;
    }

    public Endpoint getEndpoint() {
        return endpoint;
    }

    /**
     * {@code distlock.jdbc.*}: the SQL backend's settings (distlock-jdbc), for {@code distlock.uri=jdbc:}
     * (the application's DataSource) and for a whole JDBC URL alike; not read for other URIs. Unset:
     * distlock-jdbc's defaults, or the URL's {@code distlock.*} parameter; set in both places, the
     * context does not start.
     */
    public static class Jdbc {
        /** The lease table, a lower-case identifier, optionally {@code schema.table}; default {@code distlock_locks}. */
        private @Nullable String table;
        /** Create the table and its sequence when missing; default true. Off: the schema script must have run. */
        private @Nullable Boolean createTable;
        /** The bound on every statement (JDBC query timeout, whole seconds); default 2s. */
        private @Nullable String timeout;
        /** How often an idle backend checks its connection; default 1s. */
        private @Nullable String heartbeat;
        /** How long a released row is kept before it is swept (at least 1m); default 1h. */
        private @Nullable String retention;
        /** PostgreSQL LISTEN/NOTIFY wake-ups (one connection held for it); default true. The URL's {@code distlock.notifications}. */
        private @Nullable Boolean notifications;
        /**
         * {@code table} (the lease table, the default) or {@code session} (session locks: advisory
         * locks, GET_LOCK; each held lock keeps a connection of the pool; not on H2).
         */
        private @Nullable String strategy;

        public @Nullable String getTable() {
            return table;
        }

        public void setTable(@Nullable String table) {
            this.table = table;
        }

        public @Nullable Boolean getCreateTable() {
            return createTable;
        }

        public void setCreateTable(@Nullable Boolean createTable) {
            this.createTable = createTable;
        }

        public @Nullable String getTimeout() {
            return timeout;
        }

        public void setTimeout(@Nullable String timeout) {
            this.timeout = timeout;
        }

        public @Nullable String getHeartbeat() {
            return heartbeat;
        }

        public void setHeartbeat(@Nullable String heartbeat) {
            this.heartbeat = heartbeat;
        }

        public @Nullable String getRetention() {
            return retention;
        }

        public void setRetention(@Nullable String retention) {
            this.retention = retention;
        }

        public @Nullable Boolean getNotifications() {
            return notifications;
        }

        public void setNotifications(@Nullable Boolean notifications) {
            this.notifications = notifications;
        }

        public @Nullable String getStrategy() {
            return strategy;
        }

        public void setStrategy(@Nullable String strategy) {
            this.strategy = strategy;
        }
    }

    /** {@code distlock.health.*}. */
    public static class Health {
        /** How long the health check waits for the backend's answer before reporting DOWN. */
        private String timeout = "2s";

        public String getTimeout() {
            return timeout;
        }

        public void setTimeout(String timeout) {
            this.timeout = timeout;
        }
    }

    /** {@code distlock.endpoint.*}. */
    public static class Endpoint {
        /** Let the {@code distlocks} endpoint force-release a lock (DELETE); off: read-only. */
        private boolean forceReleaseEnabled;

        public boolean isForceReleaseEnabled() {
            return forceReleaseEnabled;
        }

        public void setForceReleaseEnabled(boolean forceReleaseEnabled) {
            this.forceReleaseEnabled = forceReleaseEnabled;
        }
    }

    /**
     * Where the lock's advice stands among the other advice on a method ({@code distlock.aop.order}).
     * The default, {@link Ordered#HIGHEST_PRECEDENCE}, puts it outermost: the lock is taken before
     * any other advice begins (a transaction, a retry, a cache) and released after all of them have
     * ended, so a {@code @Transactional} method's commit happens while the lock is still held. A
     * larger value lets advice with a smaller order (for example a retry that should try the lock
     * again) run outside it.
     */
    public static class Aop {
        static final String ORDER_PROPERTY = "distlock.aop.order";
        static final int DEFAULT_ORDER = Ordered.HIGHEST_PRECEDENCE;

        /** The lock advisor's order: smaller runs further out. */
        private int order = DEFAULT_ORDER;

        public int getOrder() {
            return order;
        }

        public void setOrder(int order) {
            this.order = order;
        }
    }
}
