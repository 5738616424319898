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
    int killClientSessions() throws Exception {
        int killed = 0;
        try (java.sql.Connection connection = MariaDbServers.root(server);
             java.sql.Statement statement = connection.createStatement()) {
            java.util.List<Long> ids = new java.util.ArrayList<>();
            try (java.sql.ResultSet rows = statement.executeQuery("SELECT id FROM information_schema.processlist"
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
    boolean keepsAConnectionOpen() {
        return false;
    }

    @Override
    void stopServer() {
        server.stop();
    }
}
