package io.distlock.jdbc;

import java.sql.SQLException;
import java.time.Duration;

/**
 * The watch's heartbeat where nothing listens (MariaDB, MySQL, H2, or notifications off): each
 * heartbeat, and more often while the database is away, it checks that the pool hands out a
 * working connection, and reports the database back when it does.
 */
final class HealthProbe implements Watch.Heartbeat {
    private final JdbcConnections connections;
    private final ConnectionHealth health;
    private final Duration heartbeat;

    HealthProbe(JdbcConnections connections, Duration heartbeat) {
        this.connections = connections;
        this.health = connections.health();
        this.heartbeat = heartbeat;
    }

    @Override
    public void beat() throws SQLException {
        health.pause(health.isDown() ? Watch.probeInterval(heartbeat) : heartbeat);
        if (health.isClosed()) {
            return;
        }
        connections.probe();
        health.restored();
    }
}
