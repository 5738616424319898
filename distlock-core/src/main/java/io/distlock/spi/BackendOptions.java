package io.distlock.spi;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.function.BiFunction;
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

    /** What the URI writes before each word ({@code distlock.} for jdbc: URIs), else empty. */
    private final String uriPrefix;
    private final Renamed<Duration> timeout;
    private final Renamed<Boolean> notifications;
    private @Nullable String namespace;
    private @Nullable Duration connectTimeout;

    /** Options whose words were never spelled otherwise. */
    public BackendOptions() {
        this(null, null);
    }

    /**
     * @param oldTimeoutWord       the backend's former word for {@code timeout} (accepted with a
     *                             warning, {@link Renamed}), or null if it had none
     * @param oldNotificationsWord the same for {@code notifications}
     */
    public BackendOptions(@Nullable String oldTimeoutWord, @Nullable String oldNotificationsWord) {
        this("", oldTimeoutWord, oldNotificationsWord);
    }

    /**
     * Options whose URI writes each word after {@code uriPrefix}: a jdbc: URI's query belongs to
     * the driver, so the backend's words there are {@code distlock.timeout} and so on. The
     * builder's words stay bare; the old words are given bare, and the URI's carry the prefix too.
     */
    public BackendOptions(String uriPrefix, @Nullable String oldTimeoutWord, @Nullable String oldNotificationsWord) {
        this.uriPrefix = uriPrefix;
        this.timeout = new Renamed<>("timeout", oldTimeoutWord);
        this.notifications = new Renamed<>("notifications", oldNotificationsWord);
    }

    /** The builder's namespace, checked when resolved ({@link Namespaces}); null leaves it to the URI. */
    public BackendOptions namespace(@Nullable String namespace) {
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
        this.timeout.setOld(Durations.requirePositive(String.valueOf(this.timeout.oldWord()), timeout));
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
    public String resolveNamespace(@Nullable BackendUri uri) {
        if (namespace != null) {
            return uri == null ? Namespaces.requireValid(namespace) : Namespaces.requireValid(namespace, uri);
        }
        if (uri == null) {
            return Namespaces.DEFAULT;
        }
        return Namespaces.requireValid(uri.string(uriPrefix + "namespace", Namespaces.DEFAULT), uri);
    }

    /**
     * The per-operation timeout: the builder's, else {@code uri}'s parameter (under either word),
     * else {@code fallback}; a deprecated word logs one warning.
     *
     * @param logAs the backend's class, whose logger gets the warning
     * @param where names the backend in the warning (no secrets)
     */
    public Duration resolveTimeout(@Nullable BackendUri uri, Duration fallback, Class<?> logAs, String where) {
        return choose(timeout, uri, (given, name) -> given.positiveDuration(name, null)).resolve(fallback, logAs, where);
    }

    /** The connect timeout: the builder's, else {@code uri}'s parameter, else {@code fallback}. */
    public Duration resolveConnectTimeout(@Nullable BackendUri uri, Duration fallback) {
        if (connectTimeout != null) {
            return connectTimeout;
        }
        return uri == null ? fallback : uri.positiveDuration(uriPrefix + "connectTimeout", fallback);
    }

    /** Whether notifications are on: as {@link #resolveTimeout}, for the {@code notifications} words. */
    public boolean resolveNotifications(@Nullable BackendUri uri, boolean fallback, Class<?> logAs, String where) {
        return choose(notifications, uri, (given, name) -> given.bool(name, fallback)).resolve(fallback, logAs, where);
    }

    private <T> Renamed<T> choose(Renamed<T> fromBuilder, @Nullable BackendUri uri,
                                  BiFunction<BackendUri, String, @Nullable T> read) {
        if (fromBuilder.isSet() || uri == null) {
            return fromBuilder;
        }
        return fromUri(fromBuilder, uri, read);
    }

    private <T> Renamed<T> fromUri(Renamed<T> fromBuilder, BackendUri uri,
                                   BiFunction<BackendUri, String, @Nullable T> read) {
        String oldWord = fromBuilder.oldWord();
        return new Renamed<T>(uriPrefix + fromBuilder.word(), oldWord == null ? null : uriPrefix + oldWord)
                .from(uri, name -> read.apply(uri, name));
    }
}
