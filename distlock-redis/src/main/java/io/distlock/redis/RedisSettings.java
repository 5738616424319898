package io.distlock.redis;

import io.distlock.spi.Durations;
import io.lettuce.core.RedisURI;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed backend URI: what Lettuce gets (hosts, TLS, credentials, database, Sentinel master) and
 * what distlock keeps for itself (namespace, timeouts, replicas, cluster mode).
 *
 * <p>distlock's own query parameters are removed before Lettuce sees the URI; an unknown
 * parameter is an error rather than silently ignored, so a typo never goes unnoticed.
 */
record RedisSettings(String description, List<RedisURI> redisUris, boolean cluster, String namespace,
                     Duration connectTimeout, Duration commandTimeout, int replicas, Duration replicaTimeout) {

    static final String DEFAULT_NAMESPACE = "distlock";
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);
    static final String PASSWORD_ENVIRONMENT_VARIABLE = "DISTLOCK_REDIS_PASSWORD";

    static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "rediss-sentinel");
    private static final Set<String> OWN_PARAMETERS = Set.of("namespace", "connectTimeout", "timeout", "replicas",
            "replicaTimeout", "cluster");
    private static final Set<String> LETTUCE_PARAMETERS = Set.of("database", "sentinelMasterId", "clientName",
            "verifyPeer", "libraryName", "libraryVersion");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    /** Parses {@code uri}; {@code overrides} (from the builder) win over the URI's parameters. */
    static RedisSettings parse(String uri, Overrides overrides) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("Redis URI must not be empty");
        }
        String text = uri.trim();
        int schemeEnd = text.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : text.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException("Redis URI '" + mask(text) + "' must start with one of "
                    + new java.util.TreeSet<>(SCHEMES).stream().map(s -> s + "://").toList());
        }
        String fragment = "";
        int hash = text.indexOf('#');
        if (hash >= 0) {
            fragment = text.substring(hash);
            text = text.substring(0, hash);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        String base = text;
        int question = text.indexOf('?');
        if (question >= 0) {
            base = text.substring(0, question);
            for (String pair : text.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                if (!OWN_PARAMETERS.contains(key) && !LETTUCE_PARAMETERS.contains(key)) {
                    throw new IllegalArgumentException("Redis URI '" + mask(uri.trim()) + "' has an unknown parameter '"
                            + key + "'; known: " + new java.util.TreeSet<>(OWN_PARAMETERS) + " and Lettuce's "
                            + new java.util.TreeSet<>(LETTUCE_PARAMETERS));
                }
                if (parameters.put(key, value) != null) {
                    throw new IllegalArgumentException("Redis URI '" + mask(uri.trim()) + "' repeats parameter '" + key + "'");
                }
            }
        }
        String masked = mask(uri.trim());

        String namespace = overrides.namespace != null ? overrides.namespace
                : parameters.getOrDefault("namespace", DEFAULT_NAMESPACE);
        if (!NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("namespace '" + namespace + "' must be 1 to 100 characters of "
                    + "A-Z a-z 0-9 . _ : - (no braces, so Redis Cluster hash tags stay ours) in '" + masked + "'");
        }
        Duration connectTimeout = overrides.connectTimeout != null ? overrides.connectTimeout
                : duration(parameters.get("connectTimeout"), "connectTimeout", DEFAULT_CONNECT_TIMEOUT, masked);
        Duration commandTimeout = overrides.commandTimeout != null ? overrides.commandTimeout
                : duration(parameters.get("timeout"), "timeout", DEFAULT_COMMAND_TIMEOUT, masked);
        int replicas = overrides.replicas != null ? overrides.replicas : integer(parameters.get("replicas"), masked);
        Duration replicaTimeout = overrides.replicaTimeout != null ? overrides.replicaTimeout
                : duration(parameters.get("replicaTimeout"), "replicaTimeout", commandTimeout.dividedBy(2), masked);
        if (replicaTimeout.compareTo(commandTimeout) >= 0) {
            throw new IllegalArgumentException("replicaTimeout " + replicaTimeout + " must be shorter than the command "
                    + "timeout " + commandTimeout + " (WAIT blocks the connection for up to replicaTimeout) in '" + masked + "'");
        }
        boolean cluster = bool(parameters.get("cluster"), "cluster", masked);
        if (cluster && scheme.endsWith("-sentinel")) {
            throw new IllegalArgumentException("cluster=true cannot be combined with Sentinel in '" + masked + "'");
        }

        StringBuilder lettuceQuery = new StringBuilder();
        parameters.forEach((key, value) -> {
            if (LETTUCE_PARAMETERS.contains(key)) {
                lettuceQuery.append(lettuceQuery.length() == 0 ? "?" : "&").append(encode(key)).append('=')
                        .append(encode(value));
            }
        });
        if (!cluster && !scheme.endsWith("-sentinel") && hostsOf(base).contains(",")) {
            throw new IllegalArgumentException("Redis URI '" + masked + "' names several hosts: add cluster=true for "
                    + "Redis Cluster, or use redis-sentinel:// for Sentinel");
        }
        List<RedisURI> redisUris = new ArrayList<>();
        if (cluster) {
            for (String single : splitHosts(base)) {
                redisUris.add(lettuceUri(single + lettuceQuery + fragment, masked));
            }
        } else {
            redisUris.add(lettuceUri(base + lettuceQuery + fragment, masked));
        }
        for (RedisURI redisUri : redisUris) {
            redisUri.setTimeout(commandTimeout);
            if (redisUri.getPassword() == null || redisUri.getPassword().length == 0) {
                String fromEnvironment = System.getenv(PASSWORD_ENVIRONMENT_VARIABLE);
                if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
                    redisUri.setPassword(fromEnvironment.toCharArray());
                }
            }
        }
        return new RedisSettings(masked, List.copyOf(redisUris), cluster, namespace, connectTimeout, commandTimeout,
                replicas, replicaTimeout);
    }

    private static RedisURI lettuceUri(String uri, String masked) {
        try {
            return RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Redis URI '" + masked + "' is malformed: " + e.getMessage(), e);
        }
    }

    private static String hostsOf(String base) {
        int schemeEnd = base.indexOf("://") + 3;
        int pathStart = base.indexOf('/', schemeEnd);
        String authority = pathStart < 0 ? base.substring(schemeEnd) : base.substring(schemeEnd, pathStart);
        return authority.substring(authority.lastIndexOf('@') + 1);
    }

    /** {@code redis://a:1,b:2/0} to {@code redis://a:1/0} and {@code redis://b:2/0}, keeping the credentials. */
    private static List<String> splitHosts(String base) {
        int schemeEnd = base.indexOf("://") + 3;
        int pathStart = base.indexOf('/', schemeEnd);
        String authority = pathStart < 0 ? base.substring(schemeEnd) : base.substring(schemeEnd, pathStart);
        String path = pathStart < 0 ? "" : base.substring(pathStart);
        int at = authority.lastIndexOf('@');
        String userInfo = at < 0 ? "" : authority.substring(0, at + 1);
        List<String> result = new ArrayList<>();
        for (String host : authority.substring(at + 1).split(",")) {
            result.add(base.substring(0, schemeEnd) + userInfo + host.trim() + path);
        }
        return result;
    }

    /**
     * The URI with its password replaced by {@code ***}. Lettuce reads a user info without a colon
     * as a password, so that is masked too.
     */
    static String mask(String uri) {
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) {
            return uri;
        }
        int authorityStart = schemeEnd + 3;
        int authorityEnd = uri.length();
        for (char stop : new char[] {'/', '?', '#'}) {
            int at = uri.indexOf(stop, authorityStart);
            if (at >= 0 && at < authorityEnd) {
                authorityEnd = at;
            }
        }
        int at = uri.lastIndexOf('@', authorityEnd - 1);
        if (at < authorityStart) {
            return uri;
        }
        String userInfo = uri.substring(authorityStart, at);
        int colon = userInfo.indexOf(':');
        String maskedUserInfo = colon >= 0 ? userInfo.substring(0, colon) + ":***" : "***";
        return uri.substring(0, authorityStart) + maskedUserInfo + uri.substring(at);
    }

    static Duration duration(String value, String what, Duration fallback, String masked) {
        if (value == null) {
            return fallback;
        }
        Duration parsed;
        try {
            parsed = Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + "=" + value + " is not a duration (write " + Durations.EXAMPLES
                    + ", or ISO-8601 such as PT2S) in '" + masked + "'", e);
        }
        if (parsed.isZero() || parsed.isNegative()) {
            throw new IllegalArgumentException(what + "=" + value + " must be positive in '" + masked + "'");
        }
        return parsed;
    }

    private static int integer(String value, String masked) {
        if (value == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("replicas=" + value + " must be a whole number >= 0 in '" + masked + "'");
    }

    private static boolean bool(String value, String what, String masked) {
        if (value == null || value.equalsIgnoreCase("false")) {
            return false;
        }
        if (value.isEmpty() || value.equalsIgnoreCase("true")) {
            return true;
        }
        throw new IllegalArgumentException(what + "=" + value + " must be true or false in '" + masked + "'");
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Builder values, null where the URI (or the default) decides. */
    static final class Overrides {
        String namespace;
        Duration connectTimeout;
        Duration commandTimeout;
        Integer replicas;
        Duration replicaTimeout;
    }
}
