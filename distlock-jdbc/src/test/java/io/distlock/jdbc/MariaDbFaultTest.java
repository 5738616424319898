package io.distlock.jdbc;

import io.distlock.testkit.server.ServerProcess;

/** The fault suite on a private MariaDB; the holder learns of the outage from its heartbeat. */
class MariaDbFaultTest extends JdbcFaultSuite {
    @Override
    ServerProcess startServer() {
        return MariaDbServers.start();
    }

    @Override
    String uri() {
        return MariaDbServers.uri(server) + "&";
    }

    @Override
    void stopServer() {
        server.stop();
    }
}
