package io.distlock.jdbc;

import io.distlock.testkit.server.MariaDbServers;
import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.ServerProcess;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** The databases of the fault suites: how each is started, stopped and has its sessions ended. */
final class FaultDatabases {
    private FaultDatabases() {
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws Exception;
    }

    private static boolean firstBoolean(Connection connection, String sql, Binder binder) throws Exception {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getBoolean(1);
            }
        }
    }

    /** PostgreSQL: a holder learns of an outage through its LISTEN connection. */
    static final JdbcFaultSuite.Database POSTGRES = new JdbcFaultSuite.Database() {
        @Override
        public ServerProcess start() {
            return PostgresServers.start();
        }

        @Override
        public String uri(ServerProcess server) {
            return PostgresServers.uri(server) + "?";
        }

        @Override
        public void stop(ServerProcess server) {
            PostgresServers.stopFast(server);
        }

        @Override
        public int killClientSessions(ServerProcess server) throws Exception {
            try (Connection connection = PostgresServers.connect(server);
                 Statement statement = connection.createStatement();
                 ResultSet rows = statement.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                         + " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
                rows.next();
                return rows.getInt(1);
            }
        }

        @Override
        public boolean killSessionHolding(ServerProcess server, SessionKeys.Key key) throws Exception {
            // The two-argument form waits (up to 10 s) until the session has ended, its locks with it.
            try (Connection connection = PostgresServers.connect(server);
                 PreparedStatement statement = connection.prepareStatement("SELECT bool_or(pg_terminate_backend(pid, "
                         + "10000)) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = ?"
                         + " AND objid::bigint = ? AND objsubid = 1 AND granted")) {
                statement.setLong(1, key.classId());
                statement.setLong(2, key.objectId());
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getBoolean(1);
                }
            }
        }

        @Override
        public Connection connect(ServerProcess server) throws Exception {
            return PostgresServers.connect(server);
        }

        @Override
        public boolean takeSessionLock(Connection connection, SessionKeys.Key key) throws Exception {
            return firstBoolean(connection, "SELECT pg_try_advisory_lock(?)", statement -> statement.setLong(1, key.advisory()));
        }

        @Override
        public boolean keepsAConnectionOpen() {
            return true;
        }
    };

    /** MariaDB: a holder learns of an outage from its heartbeat. */
    static final JdbcFaultSuite.Database MARIADB = new MariaDb(MariaDbServers::uri);

    /** A MariaDB server reached through MySQL Connector/J: distlock-jdbc's MySQL path (no MySQL server is packaged here). */
    static final JdbcFaultSuite.Database MYSQL = new MariaDb(MariaDbServers::mysqlUri);

    /** A private MariaDB server; distlock reaches it through {@code uri}, the server's URI for one driver or the other. */
    private static final class MariaDb implements JdbcFaultSuite.Database {
        private final Function<ServerProcess, String> uri;

        MariaDb(Function<ServerProcess, String> uri) {
            this.uri = uri;
        }

        @Override
        public ServerProcess start() {
            return MariaDbServers.start();
        }

        @Override
        public String uri(ServerProcess server) {
            return uri.apply(server) + "&";
        }

        @Override
        public void stop(ServerProcess server) {
            server.stop();
        }

        @Override
        public int killClientSessions(ServerProcess server) throws Exception {
            int killed = 0;
            try (Connection connection = MariaDbServers.root(server); Statement statement = connection.createStatement()) {
                List<Long> ids = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("SELECT id FROM information_schema.processlist"
                        + " WHERE id <> CONNECTION_ID() AND user = '" + MariaDbServers.USER + "'")) {
                    while (rows.next()) {
                        ids.add(rows.getLong(1));
                    }
                }
                for (long id : ids) {
                    statement.execute("KILL " + id);
                    killed++;
                }
            }
            return killed;
        }

        @Override
        public boolean killSessionHolding(ServerProcess server, SessionKeys.Key key) throws Exception {
            try (Connection connection = MariaDbServers.root(server)) {
                long id;
                try (PreparedStatement statement = connection.prepareStatement("SELECT IS_USED_LOCK(?)")) {
                    statement.setString(1, key.lockName());
                    try (ResultSet rows = statement.executeQuery()) {
                        rows.next();
                        id = rows.getLong(1);
                        if (rows.wasNull()) {
                            return false;
                        }
                    }
                }
                try (Statement statement = connection.createStatement()) {
                    statement.execute("KILL " + id);
                }
                return true;
            }
        }

        @Override
        public Connection connect(ServerProcess server) throws Exception {
            return MariaDbServers.connect(server);
        }

        @Override
        public boolean takeSessionLock(Connection connection, SessionKeys.Key key) throws Exception {
            return firstBoolean(connection, "SELECT GET_LOCK(?, 0)", statement -> statement.setString(1, key.lockName()));
        }

        @Override
        public boolean keepsAConnectionOpen() {
            return false;
        }
    }
}
