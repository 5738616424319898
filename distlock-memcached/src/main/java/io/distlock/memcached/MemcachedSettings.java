package io.distlock.memcached;

import io.distlock.spi.BackendOptions;
import io.distlock.spi.BackendUri;
import io.distlock.spi.Namespaces;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A parsed {@code memcached:} URI: the servers, the namespace and the two timeouts.
 *
 * <p>Servers come from the URI's host list; a URI without hosts ({@code memcached:} or
 * {@code memcached:?namespace=x}) takes them from {@value #SERVERS_VARIABLE}, else from
 * unimr.memcachedlock's {@value #SEED_SERVERS_VARIABLE} (so a team moving over keeps its
 * configuration), else {@value #DEFAULT_SERVER}.
 */
record MemcachedSettings(String description, List<Server> servers, String namespace, Duration timeout,
                         Duration connectTimeout) {

    static final Set<String> SCHEMES = Set.of("memcached");
    static final String SERVERS_VARIABLE = "DISTLOCK_MEMCACHED_SERVERS";
    static final String SEED_SERVERS_VARIABLE = "MEMCACHEDLOCK_SERVERS";
    static final String DEFAULT_SERVER = "127.0.0.1:11211";
    static final int DEFAULT_PORT = 11211;
    static final String DEFAULT_NAMESPACE = Namespaces.DEFAULT;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    // Memcached has no notification of its own: no notifications parameter. Colons in a namespace
    // are safe: keys are read from the right (MemcachedKeys), so a namespace that is a prefix of
    // another can never produce the other's keys.
    private static final Set<String> PARAMETERS = Set.of("namespace", "timeout", "connectTimeout");

    /** One server as configured; {@link #label()} places it on the hash ring. */
    record Server(String host, int port) {
        /** {@code host:port} ({@code [v6]:port}), lower case: the same on every client that names it alike. */
        String label() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    static MemcachedSettings parse(String uri, BackendOptions options, Function<String, String> environment) {
        BackendUri parsed = BackendUri.parse(uri, SCHEMES).requireOnly(PARAMETERS);
        if (parsed.user() != null || parsed.password() != null) {
            throw parsed.invalid("has user info, but memcached has no passwords here (SASL is not supported); "
                    + "remove the part before '@'");
        }
        if (!parsed.path().isEmpty() && !parsed.path().equals("/")) {
            throw parsed.invalid("has a path '" + parsed.path() + "', which means nothing to memcached; "
                    + "use ?namespace=... to separate applications");
        }
        if (!parsed.isHierarchical() && !parsed.opaquePart().isEmpty()) {
            throw parsed.invalid("must be memcached://host:port[,host:port...] or memcached: (servers from "
                    + SERVERS_VARIABLE + ")");
        }
        List<Server> servers;
        String source;
        if (!parsed.hosts().isEmpty()) {
            servers = servers(parsed.hosts(), what -> parsed.invalid(what));
            source = null;
        } else {
            String fromDistlock = environment.apply(SERVERS_VARIABLE);
            String fromSeed = environment.apply(SEED_SERVERS_VARIABLE);
            String variable;
            String list;
            if (fromDistlock != null && !fromDistlock.isBlank()) {
                variable = SERVERS_VARIABLE;
                list = fromDistlock;
            } else if (fromSeed != null && !fromSeed.isBlank()) {
                variable = SEED_SERVERS_VARIABLE;
                list = fromSeed;
            } else {
                variable = null;
                list = DEFAULT_SERVER;
            }
            String from = variable;
            servers = servers(List.of(list.trim().split("[,\\s]+")), what -> new IllegalArgumentException(
                    (from == null ? "the default server " : "environment variable " + from + "='" + list + "' ")
                            + what + " (from '" + parsed.masked() + "')"));
            source = variable == null ? "default" : variable;
        }
        String namespace = options.resolveNamespace(parsed);
        Duration timeout = options.resolveTimeout(parsed, DEFAULT_TIMEOUT, MemcachedLockBackend.class, parsed.masked());
        Duration connectTimeout = options.resolveConnectTimeout(parsed, DEFAULT_CONNECT_TIMEOUT);
        StringBuilder description = new StringBuilder("memcached://");
        for (int i = 0; i < servers.size(); i++) {
            description.append(i == 0 ? "" : ",").append(servers.get(i).label());
        }
        if (source != null) {
            description.append(" (servers from ").append(source).append(")");
        }
        description.append(" namespace ").append(namespace);
        return new MemcachedSettings(description.toString(), List.copyOf(servers), namespace, timeout, connectTimeout);
    }

    private static List<Server> servers(List<String> written, Function<String, IllegalArgumentException> invalid) {
        Set<Server> servers = new LinkedHashSet<>();
        for (String text : written) {
            Server server = server(text.trim(), invalid);
            if (!servers.add(server)) {
                throw invalid.apply("names server " + server.label() + " twice");
            }
        }
        if (servers.isEmpty()) {
            throw invalid.apply("names no server");
        }
        return new ArrayList<>(servers);
    }

    private static Server server(String text, Function<String, IllegalArgumentException> invalid) {
        String host;
        String port = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw invalid.apply("has an unclosed IPv6 address in '" + text + "'");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw invalid.apply("has '" + rest + "' after the IPv6 address in '" + text + "'");
                }
                port = rest.substring(1);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0 && text.indexOf(':') != colon) {
                throw invalid.apply("has an IPv6 address without brackets: write [" + text + "]:11211");
            }
            host = colon < 0 ? text : text.substring(0, colon);
            port = colon < 0 ? null : text.substring(colon + 1);
        }
        if (host.isEmpty() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@' || c == '?')) {
            throw invalid.apply("has a bad host in '" + text + "'");
        }
        int number = DEFAULT_PORT;
        if (port != null) {
            try {
                number = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                number = -1;
            }
            if (number < 1 || number > 65535) {
                throw invalid.apply("has port '" + port + "' in '" + text + "', which must be 1..65535");
            }
        }
        return new Server(host.toLowerCase(Locale.ROOT), number);
    }

    static Function<String, String> systemEnvironment() {
        Map<String, String> env = System.getenv();
        return env::get;
    }
}
