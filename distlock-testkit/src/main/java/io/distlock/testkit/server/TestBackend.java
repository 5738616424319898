package io.distlock.testkit.server;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A backend as the tests run it, described once: its name, how to start a private server for it,
 * the URI that opens the backend on that server, and the faults that server can be put through.
 * The contract tests, the fault suite, the command line's tests, the starter's tests and the
 * benchmarks all take a backend from here, so a backend's scheme, credentials and the spelling of
 * its URI parameters are written in one place.
 *
 * <pre>{@code
 * try (ServerProcess server = TestBackend.REDIS.start()) {
 *     String uri = TestBackend.REDIS.uri(server, Map.of("namespace", "orders"));
 *     // redis://127.0.0.1:<port>?namespace=orders
 * }
 * }</pre>
 *
 * <p>Topologies: memcached spreads names over several servers, so {@link #MEMCACHED} opens on a
 * list of them ({@link #uri(List, Map)}); {@link #REDIS} opens on a list of a Redis Cluster's nodes
 * as seeds (with {@code cluster=true}, as {@link RedisClusterFixture#seedUri()} writes it); every
 * other constant is one server. The password of a
 * JDBC backend is in its URI, or, the command line's way, in the environment
 * ({@link #uriWithoutPassword}, {@link #passwordEnvironment}). Redis Cluster and Sentinel are
 * several processes with their own failover faults, so they are fixtures of their own
 * ({@link RedisClusterFixture}, {@link RedisSentinelFixture}) rather than constants here; the
 * cluster's URI is {@link #REDIS}'s, the sentinels' ({@code redis-sentinel://}) its fixture's.
 *
 * <p>Parameters are named as every backend names them ({@code namespace}, {@code timeout},
 * {@code connectTimeout}, ...); the JDBC backends get them with the {@code distlock.} prefix that
 * keeps them apart from the driver's own, which this type adds.
 */
public enum TestBackend {
    /** One {@code redis-server} without persistence: a restart forgets every lock. */
    REDIS("redis", false) {
        @Override
        public ServerProcess start() {
            return RedisServers.start();
        }

        @Override
        String base(List<Integer> ports, boolean withPassword) {
            // Several servers are the seeds of a Redis Cluster, the URI's cluster=true says so.
            List<String> addresses = new ArrayList<>();
            ports.forEach(port -> addresses.add("127.0.0.1:" + port));
            return "redis://" + String.join(",", addresses);
        }
    },
    /** One {@code memcached}: nothing on disk, a restart forgets every lock. */
    MEMCACHED("memcached", false) {
        @Override
        public ServerProcess start() {
            return MemcachedServers.start();
        }

        @Override
        String base(List<Integer> ports, boolean withPassword) {
            List<String> addresses = new ArrayList<>();
            ports.forEach(port -> addresses.add("127.0.0.1:" + port));
            return "memcached://" + String.join(",", addresses);
        }
    },
    /** One ZooKeeper server in its own JVM, its data on disk: a restart keeps the lock nodes. */
    ZOOKEEPER("zookeeper", true) {
        @Override
        public ServerProcess start() {
            return ZooKeeperServers.start();
        }

        @Override
        String base(List<Integer> ports, boolean withPassword) {
            return "zookeeper://127.0.0.1:" + onlyPort(ports);
        }
    },
    /** One PostgreSQL through its JDBC driver (the test brings {@code org.postgresql:postgresql}). */
    POSTGRES("jdbc-postgresql", true) {
        @Override
        public ServerProcess start() {
            return PostgresServers.start();
        }

        @Override
        String base(List<Integer> ports, boolean withPassword) {
            return "jdbc:postgresql://" + userInfo(PostgresServers.USER, PostgresServers.PASSWORD, withPassword)
                    + "@127.0.0.1:" + onlyPort(ports) + "/" + PostgresServers.DATABASE;
        }

        @Override
        public void stop(ServerProcess server) {
            PostgresServers.stopFast(server);
        }
    },
    /** One MariaDB through MariaDB Connector/J (the test brings {@code org.mariadb.jdbc:mariadb-java-client}). */
    MARIADB("jdbc-mariadb", true) {
        @Override
        public ServerProcess start() {
            return MariaDbServers.start();
        }

        @Override
        String base(List<Integer> ports, boolean withPassword) {
            return mariaDbUri("jdbc:mariadb://", MariaDbServers.NO_TLS, onlyPort(ports), withPassword);
        }
    },
    /**
     * The same MariaDB through MySQL Connector/J ({@code jdbc:mysql://}), which reports every server
     * as MySQL and so takes the JDBC backend's MySQL path.
     */
    MYSQL("jdbc-mysql", true) {
        @Override
        public ServerProcess start() {
            return MariaDbServers.start();
        }

        @Override
        String base(List<Integer> ports, boolean withPassword) {
            return mariaDbUri("jdbc:mysql://", MariaDbServers.MYSQL_NO_TLS, onlyPort(ports), withPassword);
        }
    };

    /** What a test can do to a running server of a backend, through its {@link ServerProcess}. */
    public enum ServerFault {
        /** {@link ServerProcess#kill()} then {@link ServerProcess#start()} on the same port and directory. */
        CRASH,
        /** {@link ServerProcess#freeze()} then {@link ServerProcess#thaw()}. */
        FREEZE,
        /** {@link ServerProcess#dropConnections()}: the server resets its clients' connections. */
        DROP_CONNECTIONS
    }

    private final String displayName;
    private final boolean keepsLocksAcrossRestart;

    TestBackend(String displayName, boolean keepsLocksAcrossRestart) {
        this.displayName = displayName;
        this.keepsLocksAcrossRestart = keepsLocksAcrossRestart;
    }

    /** The name reports and test names use ({@code redis}, {@code jdbc-postgresql}, ...). */
    public String displayName() {
        return displayName;
    }

    /** Whether a lock survives a restart of the server (it keeps its data on disk). */
    public boolean keepsLocksAcrossRestart() {
        return keepsLocksAcrossRestart;
    }

    /** The faults its server can be put through; every private server here supports all of them. */
    public Set<ServerFault> faults() {
        return EnumSet.allOf(ServerFault.class);
    }

    /** Starts a private server for the backend and returns it ready; the caller closes it. */
    public abstract ServerProcess start();

    /**
     * Stops {@code server} as the backend's tests expect: at once for PostgreSQL (sessions ended, so
     * a pool that never lets go cannot hold the stop up), gracefully for the others.
     */
    public void stop(ServerProcess server) {
        server.stop();
    }

    /**
     * The URI of the backend on servers at 127.0.0.1:{@code ports}, without parameters; with the
     * password in it or, when {@code withPassword} is false, for a user whose password comes from
     * {@link #passwordEnvironment}.
     */
    abstract String base(List<Integer> ports, boolean withPassword);

    /** The URI that opens the backend on {@code server}. */
    public String uri(ServerProcess server) {
        return uri(server.port(), Map.of());
    }

    /** The URI that opens the backend on {@code server}, with {@code parameters} in the order given. */
    public String uri(ServerProcess server, Map<String, String> parameters) {
        return uri(server.port(), parameters);
    }

    /**
     * The URI that opens the backend on a server reached at 127.0.0.1:{@code port} (its own port,
     * or a proxy's in front of it), with {@code parameters} in their map's order.
     */
    public String uri(int port, Map<String, String> parameters) {
        return withParameters(base(List.of(port), true), parameters);
    }

    /**
     * The URI that opens the backend on all of {@code servers} at once, in their order, with
     * {@code parameters}: the topology of a backend that spreads names over several servers
     * ({@link #MEMCACHED}) or finds them from seeds ({@link #REDIS} with {@code cluster=true}); the
     * others take exactly one server.
     *
     * @throws IllegalArgumentException if the backend opens on one server and more were given
     */
    public String uri(List<ServerProcess> servers, Map<String, String> parameters) {
        List<Integer> ports = new ArrayList<>();
        servers.forEach(server -> ports.add(server.port()));
        return withParameters(base(ports, true), parameters);
    }

    /**
     * The URI of the backend on a server reached at 127.0.0.1:{@code port} that names the user but
     * not the password: the command line's way, which reads it from {@link #passwordEnvironment}.
     */
    public String uriWithoutPassword(int port, Map<String, String> parameters) {
        return withParameters(base(List.of(port), false), parameters);
    }

    /** The password of the backend's test user; empty for the backends whose servers take none. */
    public String password() {
        return switch (this) {
            case POSTGRES -> PostgresServers.PASSWORD;
            case MARIADB, MYSQL -> MariaDbServers.PASSWORD;
            default -> "";
        };
    }

    /**
     * The environment that hands {@code password} to the command line with a
     * {@link #uriWithoutPassword} URI ({@code DISTLOCK_JDBC_PASSWORD}); empty for a backend without one.
     */
    public Map<String, String> passwordEnvironment(String password) {
        return isJdbc() ? Map.of("DISTLOCK_JDBC_PASSWORD", password) : Map.of();
    }

    private String withParameters(String base, Map<String, String> parameters) {
        if (parameters.isEmpty()) {
            return base;
        }
        Map<String, String> named = new LinkedHashMap<>();
        parameters.forEach((name, value) -> named.put(parameterName(name), value));
        return base + (base.contains("?") ? "&" : "?") + query(named);
    }

    /** A MariaDB server's URI through the driver of {@code scheme}, with TLS off in that driver's words. */
    private static String mariaDbUri(String scheme, String noTls, int port, boolean withPassword) {
        return scheme + userInfo(MariaDbServers.USER, MariaDbServers.PASSWORD, withPassword) + "@127.0.0.1:" + port
                + "/" + MariaDbServers.DATABASE + "?" + noTls;
    }

    private static String userInfo(String user, String password, boolean withPassword) {
        return withPassword ? user + ":" + password : user;
    }

    int onlyPort(List<Integer> ports) {
        if (ports.size() != 1) {
            throw new IllegalArgumentException(displayName + " opens on one server, not " + ports.size());
        }
        return ports.get(0);
    }

    /** Parameters in the order given, as name, value, name, value... */
    public static Map<String, String> parameters(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("parameters come as name, value pairs but " + namesAndValues.length
                    + " strings were given");
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            parameters.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(parameters);
    }

    /** {@code name=value&...} in the map's order, for a URI that is not one of these backends' (a cluster's, say). */
    public static String query(Map<String, String> parameters) {
        List<String> pairs = new ArrayList<>();
        parameters.forEach((name, value) -> pairs.add(name + "=" + value));
        return String.join("&", pairs);
    }

    /** A distlock parameter as this backend's URI spells it: with {@code distlock.} on a JDBC URL. */
    public String parameterName(String name) {
        return isJdbc() && !name.startsWith("distlock.") ? "distlock." + name : name;
    }

    private boolean isJdbc() {
        return this == POSTGRES || this == MARIADB || this == MYSQL;
    }

    @Override
    public String toString() {
        return displayName;
    }
}
