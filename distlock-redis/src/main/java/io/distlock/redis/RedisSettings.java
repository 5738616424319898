package io.distlock.redis;

import io.distlock.spi.BackendOptions;
import io.distlock.spi.BackendUri;
import io.distlock.spi.Namespaces;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StaticCredentialsProvider;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A backend URI, read with the shared {@link BackendUri} rules: what Lettuce gets (hosts, TLS,
 * credentials, database, Sentinel master, Lettuce's own parameters) and what distlock keeps for
 * itself (namespace, timeouts, replicas, cluster mode). A parameter that is neither distlock's nor
 * one of Lettuce's listed here is refused, so a typo never goes unnoticed.
 */
record RedisSettings(String description, List<RedisURI> redisUris, boolean cluster, String namespace,
                     Duration connectTimeout, Duration commandTimeout, int replicas, Duration replicaTimeout) {

    static final String DEFAULT_NAMESPACE = Namespaces.DEFAULT;
    /**
     * Lettuce's own default: the first connect of a cold JVM loads and starts Netty, which on a
     * loaded host takes seconds before the first byte is sent.
     */
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    static final String PASSWORD_ENVIRONMENT_VARIABLE = "DISTLOCK_REDIS_PASSWORD";

    static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel");
    private static final Set<String> OWN_PARAMETERS = Set.of("namespace", "connectTimeout", "timeout", "replicas",
            "replicaTimeout", "cluster");
    private static final Set<String> LETTUCE_PARAMETERS = Set.of("database", "sentinelMasterId", "clientName",
            "verifyPeer", "libraryName", "libraryVersion");
    private static final Set<String> KNOWN_PARAMETERS = union(OWN_PARAMETERS, LETTUCE_PARAMETERS);

    /** Parses {@code uri}; {@code overrides} (from the builder) win over the URI's parameters. */
    static RedisSettings parse(String uri, Overrides overrides) {
        BackendUri parsed = BackendUri.parse(uri, SCHEMES).requireOnly(KNOWN_PARAMETERS);
        boolean sentinel = parsed.scheme().endsWith("-sentinel");
        if (!parsed.isHierarchical() || parsed.hosts().isEmpty()) {
            throw parsed.invalid("must name a host: write " + parsed.scheme() + "://host[:port]");
        }

        // The namespace rule admits no braces, so Redis Cluster hash tags stay ours (RedisKeys).
        String namespace = overrides.options.resolveNamespace(parsed);
        Duration connectTimeout = overrides.options.resolveConnectTimeout(parsed, DEFAULT_CONNECT_TIMEOUT);
        Duration commandTimeout = overrides.options.resolveTimeout(parsed, DEFAULT_COMMAND_TIMEOUT, RedisLockBackend.class,
                parsed.masked());
        int replicas = overrides.replicas != null ? overrides.replicas : parsed.wholeNumber("replicas", 0, 0);
        Duration replicaTimeout = overrides.replicaTimeout != null ? overrides.replicaTimeout
                : parsed.positiveDuration("replicaTimeout", commandTimeout.dividedBy(2));
        if (replicaTimeout.compareTo(commandTimeout) >= 0) {
            throw parsed.invalid("has replicaTimeout " + replicaTimeout + ", which must be shorter than the command "
                    + "timeout " + commandTimeout + " (WAIT blocks the connection for up to replicaTimeout)");
        }
        boolean cluster = parsed.bool("cluster", false);
        if (cluster && sentinel) {
            throw parsed.invalid("has cluster=true, which cannot be combined with Sentinel");
        }
        if (!cluster && !sentinel && parsed.hosts().size() > 1) {
            throw parsed.invalid("names several hosts: add cluster=true for Redis Cluster, or use redis-sentinel:// "
                    + "for Sentinel");
        }

        List<RedisURI> redisUris = new ArrayList<>();
        if (cluster) {
            for (String host : parsed.hosts()) {
                redisUris.add(lettuceUri(parsed, List.of(host)));
            }
        } else {
            redisUris.add(lettuceUri(parsed, parsed.hosts()));
        }
        for (RedisURI redisUri : redisUris) {
            redisUri.setTimeout(commandTimeout);
        }
        return new RedisSettings(parsed.masked(), List.copyOf(redisUris), cluster, namespace, connectTimeout,
                commandTimeout, replicas, replicaTimeout);
    }

    /**
     * Lettuce's URI for {@code hosts}: the scheme, hosts, path, fragment and Lettuce's parameters
     * as read, credentials set apart so that a password needs no re-escaping. Lettuce reads a user
     * info without a colon ({@code secret@host}) as a password, and so does distlock. Without a
     * password in the URI, the environment's (for the default user) applies.
     */
    private static RedisURI lettuceUri(BackendUri parsed, List<String> hosts) {
        StringBuilder text = new StringBuilder(parsed.scheme()).append("://").append(String.join(",", hosts))
                .append(encodePath(parsed.path()));
        char separator = '?';
        for (Map.Entry<String, String> parameter : parsed.parametersExcept(OWN_PARAMETERS).entrySet()) {
            text.append(separator).append(encode(parameter.getKey())).append('=').append(encode(parameter.getValue()));
            separator = '&';
        }
        if (parsed.fragment() != null) {
            text.append('#').append(encode(parsed.fragment()));
        }
        RedisURI redisUri;
        try {
            redisUri = RedisURI.create(text.toString());
        } catch (RuntimeException e) {
            throw parsed.invalid("is malformed: " + e.getMessage(), e);
        }
        String user = parsed.user();
        String password = parsed.password();
        if (password == null && user != null) {
            password = user;
            user = null;
        }
        if (password == null || password.isEmpty()) {
            user = null;
            password = System.getenv(PASSWORD_ENVIRONMENT_VARIABLE);
        }
        if (password != null && !password.isEmpty()) {
            // A credentials provider, not setUsername/setPassword: Lettuce 7 removed those, and an
            // application's Spring Boot may still bring Lettuce 6, which has this API too.
            redisUri.setCredentialsProvider(new StaticCredentialsProvider(
                    user == null || user.isEmpty() ? null : user, password.toCharArray()));
        }
        return redisUri;
    }

    /** The path (a database number, if anything) re-escaped as one segment: Lettuce reads no more. */
    private static String encodePath(String path) {
        return path.isEmpty() ? "" : "/" + encode(path.substring(1));
    }

    /** Percent-escaped for Lettuce, which decodes %XX but reads a plus sign as itself, not a space. */
    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** Builder values, null where the URI (or the default) decides. */
    static final class Overrides {
        /** The vocabulary's settings; {@code commandTimeout} is the deprecated word for {@code timeout}. */
        final BackendOptions options = new BackendOptions("commandTimeout", null);
        Integer replicas;
        Duration replicaTimeout;
    }
}
