package io.distlock.spi;

import java.time.Duration;
import java.util.Set;

/**
 * The settings every backend has under the same words (docs/lock-contract.md, "Vocabulary"):
 * {@code namespace}, {@code timeout}, {@code connectTimeout} and {@code notifications}, read one
 * way for all of them. A backend's builder keeps one of these and passes its setters' values on;
 * building, the backend resolves each setting from it: the builder's value if one was given, else
 * the URI's parameter, else the backend's default. A backend without a concept (a directory has no
 * connection) does not ask for it, and leaves its word out of the parameters it accepts.
 *
 * <p>Every value is checked as it is resolved, so a bad value fails {@code build()}, quoting the
 * masked URI when it came from one. Not thread-safe, like the builders that hold it.
 */
public final class BackendOptions {
    /** The words of this class, for a backend's set of accepted URI parameters. */
    public static final Set<String> WORDS = Set.of("namespace", "timeout", "connectTimeout", "notifications");

    private final Renamed<Duration> timeout;
    private final Renamed<Boolean> notifications;
    private String namespace;
    private Duration connectTimeout;

    /** Options whose words were never spelled otherwise. */
    public BackendOptions() {
        this(null, null);
    }

    /**
     * @param oldTimeoutWord       the backend's former word for {@code timeout} (accepted with a
     *                             warning, {@link Renamed}), or null if it had none
     * @param oldNotificationsWord the same for {@code notifications}
     */
    public BackendOptions(String oldTimeoutWord, String oldNotificationsWord) {
        this.timeout = new Renamed<>("timeout", oldTimeoutWord);
        this.notifications = new Renamed<>("notifications", oldNotificationsWord);
    }

    /** The builder's namespace, checked when resolved ({@link Namespaces}); null leaves it to the URI. */
    public BackendOptions namespace(String namespace) {
        this.namespace = namespace;
        return this;
    }

    /** The builder's {@code timeout}. */
    public BackendOptions timeout(Duration timeout) {
        this.timeout.set(Durations.requirePositive("timeout", timeout));
        return this;
    }

    /** The builder's {@code timeout} under its deprecated word. */
    public BackendOptions oldTimeout(Duration timeout) {
        this.timeout.setOld(Durations.requirePositive(this.timeout.oldWord(), timeout));
        return this;
    }

    /** The builder's {@code connectTimeout}. */
    public BackendOptions connectTimeout(Duration timeout) {
        this.connectTimeout = Durations.requirePositive("connectTimeout", timeout);
        return this;
    }

    /** The builder's {@code notifications}. */
    public BackendOptions notifications(boolean enabled) {
        this.notifications.set(enabled);
        return this;
    }

    /** The builder's {@code notifications} under its deprecated word. */
    public BackendOptions oldNotifications(boolean enabled) {
        this.notifications.setOld(enabled);
        return this;
    }

    /**
     * The namespace: the builder's, else {@code uri}'s parameter, else {@link Namespaces#DEFAULT}.
     *
     * @param uri the backend's URI, or null when built without one
     * @throws IllegalArgumentException naming the value and the rule if it breaks it
     */
    public String resolveNamespace(BackendUri uri) {
        if (namespace != null) {
            return uri == null ? Namespaces.requireValid(namespace) : Namespaces.requireValid(namespace, uri);
        }
        if (uri == null) {
            return Namespaces.DEFAULT;
        }
        return Namespaces.requireValid(uri.string("namespace", Namespaces.DEFAULT), uri);
    }

    /**
     * The per-operation timeout: the builder's, else {@code uri}'s parameter (under either word),
     * else {@code fallback}; a deprecated word logs one warning.
     *
     * @param logAs the backend's class, whose logger gets the warning
     * @param where names the backend in the warning (no secrets)
     */
    public Duration resolveTimeout(BackendUri uri, Duration fallback, Class<?> logAs, String where) {
        return choose(timeout, uri, name -> uri.positiveDuration(name, null)).resolve(fallback, logAs, where);
    }

    /** The connect timeout: the builder's, else {@code uri}'s parameter, else {@code fallback}. */
    public Duration resolveConnectTimeout(BackendUri uri, Duration fallback) {
        if (connectTimeout != null) {
            return connectTimeout;
        }
        return uri == null ? fallback : uri.positiveDuration("connectTimeout", fallback);
    }

    /** Whether notifications are on: as {@link #resolveTimeout}, for the {@code notifications} words. */
    public boolean resolveNotifications(BackendUri uri, boolean fallback, Class<?> logAs, String where) {
        return choose(notifications, uri, name -> uri.bool(name, fallback)).resolve(fallback, logAs, where);
    }

    private static <T> Renamed<T> choose(Renamed<T> fromBuilder, BackendUri uri,
                                         java.util.function.Function<String, T> read) {
        if (fromBuilder.isSet() || uri == null) {
            return fromBuilder;
        }
        return new Renamed<T>(fromBuilder.word(), fromBuilder.oldWord()).from(uri, read);
    }
}
