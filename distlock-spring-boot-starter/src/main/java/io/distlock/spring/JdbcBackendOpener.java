package io.distlock.spring;

import io.distlock.jdbc.JdbcLockBackend;
import io.distlock.spi.BackendUri;
import io.distlock.spi.Durations;
import io.distlock.spi.LockBackend;
import org.jspecify.annotations.Nullable;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code distlock.uri=jdbc:...} through {@link JdbcLockBackend}'s builder rather than the URI alone:
 * {@code jdbc:} by itself is the application's {@link DataSource} (which stays the application's:
 * closing the backend never closes it), a whole JDBC URL a pool of distlock's own; for both,
 * {@code distlock.namespace} and {@code distlock.jdbc.*} go to the builder. (Appending
 * {@code ?namespace=} as for other URIs would hand it to the JDBC driver: distlock-jdbc reads only
 * {@code distlock.}-prefixed parameters.)
 */
final class JdbcBackendOpener implements BackendOpener {
    /** {@code distlock.uri} for "the application's DataSource". */
    static final String APPLICATION_DATA_SOURCE = "jdbc:";

    private final Supplier<DataSource> dataSource;

    /** {@code dataSource}: the application's single (or primary) DataSource, or null. */
    JdbcBackendOpener(Supplier<DataSource> dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public @Nullable LockBackend open(DistlockProperties properties) {
        String uri = properties.getUri() == null ? "" : properties.getUri().trim();
        if (!uri.regionMatches(true, 0, APPLICATION_DATA_SOURCE, 0, APPLICATION_DATA_SOURCE.length())) {
            return null;
        }
        JdbcLockBackend.Builder builder;
        Map<String, String> inUri;
        if (uri.length() == APPLICATION_DATA_SOURCE.length()) {
            DataSource application = dataSource.get();
            if (application == null) {
                throw new IllegalArgumentException("distlock.uri: 'jdbc:' means the application's DataSource, but this "
                        + "context has no single DataSource bean (none, or several and none @Primary); define one "
                        + "(spring.datasource.url=...) or give a whole JDBC URL such as jdbc:postgresql://db:5432/app");
            }
            builder = JdbcLockBackend.builder(application);
            inUri = Map.of();
        } else {
            try {
                builder = JdbcLockBackend.builder(uri);
                inUri = BackendUri.parse(uri, Set.of("jdbc")).parameters();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("distlock.uri: " + e.getMessage(), e);
            }
        }
        DistlockProperties.Jdbc jdbc = properties.getJdbc();
        String namespace = properties.getNamespace();
        set("distlock.namespace", namespace == null || namespace.isEmpty() ? null : namespace, "distlock.namespace",
                inUri, builder::namespace);
        set("distlock.jdbc.table", jdbc.getTable(), "distlock.table", inUri, builder::table);
        set("distlock.jdbc.create-table", jdbc.getCreateTable(), "distlock.createTable", inUri, builder::createTable);
        set("distlock.jdbc.timeout", duration("distlock.jdbc.timeout", jdbc.getTimeout()), "distlock.timeout", inUri,
                builder::timeout);
        set("distlock.jdbc.heartbeat", duration("distlock.jdbc.heartbeat", jdbc.getHeartbeat()), "distlock.heartbeat",
                inUri, builder::heartbeat);
        set("distlock.jdbc.retention", duration("distlock.jdbc.retention", jdbc.getRetention()), "distlock.retention",
                inUri, builder::retention);
        // The URL's old word, distlock.notify, still read by distlock-jdbc (with a warning), is the same setting.
        set("distlock.jdbc.notifications", jdbc.getNotifications(), List.of("distlock.notifications", "distlock.notify"),
                inUri, builder::notifications);
        set("distlock.jdbc.strategy", parseStrategy(jdbc.getStrategy()), "distlock.strategy", inUri,
                chosen -> builder.strategy(chosen));
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            // A URL parameter the builder read only now (a bad distlock.poolSize, say).
            throw new IllegalArgumentException("distlock.uri: " + e.getMessage(), e);
        }
    }

    private static JdbcLockBackend.@Nullable Strategy parseStrategy(@Nullable String value) {
        if (value == null) {
            return null;
        }
        for (JdbcLockBackend.Strategy known : JdbcLockBackend.Strategy.values()) {
            if (known.name().equalsIgnoreCase(value.trim())) {
                return known;
            }
        }
        throw new IllegalArgumentException("distlock.jdbc.strategy: '" + value + "' must be table (the lease table, "
                + "the default) or session (session locks: advisory locks, GET_LOCK)");
    }

    private static @Nullable Duration duration(String property, @Nullable String value) {
        return value == null ? null : ManagerFactory.property(property, value, Durations::parsePositive);
    }

    /** Gives {@code value} to the builder, if set, once: a setting in both the property and the URL is refused. */
    private static <T> void set(String property, @Nullable T value, String uriParameter, Map<String, String> inUri,
                                Consumer<T> setter) {
        set(property, value, List.of(uriParameter), inUri, setter);
    }

    /** As above, for a URL parameter that has more than one name (its word and a deprecated one). */
    private static <T> void set(String property, @Nullable T value, List<String> uriParameters, Map<String, String> inUri,
                                Consumer<T> setter) {
        if (value == null) {
            return;
        }
        for (String uriParameter : uriParameters) {
            if (inUri.containsKey(uriParameter)) {
                throw new IllegalArgumentException(property + " '" + value + "' and " + uriParameter + "="
                        + inUri.get(uriParameter) + " in distlock.uri: set it in one place");
            }
        }
        try {
            setter.accept(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage(), e);
        }
    }
}
