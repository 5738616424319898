package io.distlock.jdbc;

import io.distlock.testkit.server.ServerProcess;

/** The fault suite on a private PostgreSQL; the holder learns of the outage through its LISTEN connection. */
class PostgresFaultTest extends JdbcFaultSuite {
    @Override
    ServerProcess startServer() {
        return PostgresServers.start();
    }

    @Override
    String uri() {
        return PostgresServers.uri(server) + "?";
    }

    @Override
    int killClientSessions() throws Exception {
        try (java.sql.Connection connection = PostgresServers.connect(server);
             java.sql.Statement statement = connection.createStatement();
             java.sql.ResultSet rows = statement.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Override
    boolean keepsAConnectionOpen() {
        return true;
    }

    @Override
    void stopServer() {
        PostgresServers.stopFast(server);
    }
}
