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
    void stopServer() {
        PostgresServers.stopFast(server);
    }
}
