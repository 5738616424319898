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
        String base(int port) {
            return "redis://127.0.0.1:" + port;
        }
    },
    /** One {@code memcached}: nothing on disk, a restart forgets every lock. */
    MEMCACHED("memcached", false) {
        @Override
        public ServerProcess start() {
            return MemcachedServers.start();
        }

        @Override
        String base(int port) {
            return "memcached://127.0.0.1:" + port;
        }
    },
    /** One ZooKeeper server in its own JVM, its data on disk: a restart keeps the lock nodes. */
    ZOOKEEPER("zookeeper", true) {
        @Override
        public ServerProcess start() {
            return ZooKeeperServers.start();
        }

        @Override
        String base(int port) {
            return "zookeeper://127.0.0.1:" + port;
        }
    },
    /** One PostgreSQL through its JDBC driver (the test brings {@code org.postgresql:postgresql}). */
    POSTGRES("jdbc-postgresql", true) {
        @Override
        public ServerProcess start() {
            return PostgresServers.start();
        }

        @Override
        String base(int port) {
            return "jdbc:postgresql://" + PostgresServers.USER + ":" + PostgresServers.PASSWORD + "@127.0.0.1:" + port
                    + "/" + PostgresServers.DATABASE;
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
        String base(int port) {
            return "jdbc:mariadb://" + MariaDbServers.USER + ":" + MariaDbServers.PASSWORD + "@127.0.0.1:" + port + "/"
                    + MariaDbServers.DATABASE + "?" + MariaDbServers.NO_TLS;
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
        String base(int port) {
            return "jdbc:mysql://" + MariaDbServers.USER + ":" + MariaDbServers.PASSWORD + "@127.0.0.1:" + port + "/"
                    + MariaDbServers.DATABASE + "?" + MariaDbServers.MYSQL_NO_TLS;
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

    /** The URI of the backend on a server at 127.0.0.1:{@code port}, without parameters. */
    abstract String base(int port);

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
        String base = base(port);
        if (parameters.isEmpty()) {
            return base;
        }
        Map<String, String> named = new LinkedHashMap<>();
        parameters.forEach((name, value) -> named.put(parameterName(name), value));
        return base + (base.contains("?") ? "&" : "?") + query(named);
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
