package io.distlock.spi;

/**
 * Opens a backend from a URI such as {@code file:/var/lib/distlock} or {@code redis://host:6379}.
 * Each backend module registers one with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/io.distlock.spi.LockBackendProvider} entry and a {@code provides} clause),
 * so the command line and child processes can name a backend with a string.
 */
public interface LockBackendProvider {

    /** The URI schemes this provider opens, lower case, for example {@code "redis", "rediss"}. */
    java.util.Set<String> schemes();

    /**
     * Opens a backend from the whole URI string, as the user wrote it (its scheme is one of
     * {@link #schemes()}). It is a string, not a {@code java.net.URI}, because forms such as
     * {@code file:} or {@code memcached://h1:11211,h2:11211} are not all valid {@code java.net.URI}s.
     * Secrets may come from the URI's user info or from environment variables the provider
     * documents; the provider must mask them in {@link LockBackend#describe()} and in messages.
     *
     * @throws IllegalArgumentException if the URI is malformed for this scheme, naming the bad part
     */
    LockBackend open(String uri);
}
