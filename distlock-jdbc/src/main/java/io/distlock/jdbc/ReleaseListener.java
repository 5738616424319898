package io.distlock.jdbc;

import io.distlock.spi.BackendEvents;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The watch's heartbeat on PostgreSQL with notifications: it owns the one listening connection
 * ({@code LISTEN}), tells the engine when another process released a lock, and reconnects after a
 * failure. The connection doubles as the health check: a quiet heartbeat checks that it answers,
 * and while the database is away, a reconnect is followed by a probe of the pool.
 */
final class ReleaseListener implements Watch.Heartbeat {
    private final JdbcConnections connections;
    private final ConnectionHealth health;
    private final JdbcConnections.Opener opener;
    private final LeaseTable table;
    private final Duration heartbeat;
    private final Duration timeout;
    // Set by start(), which the watch calls before its thread's first beat: no beat runs without it.
    @SuppressWarnings("NullAway.Init")
    private volatile BackendEvents events;
    /** Written by the watch thread; read by interrupt() to wake its LISTEN wait. */
    private volatile @Nullable Connection listening;
    /** The last beat failed: the next one waits a probe interval before it reconnects. */
    private boolean failed;

    ReleaseListener(JdbcConnections connections, LeaseTable table, Duration heartbeat, Duration timeout) {
        this.connections = connections;
        this.health = connections.health();
        this.opener = connections.listening();
        this.table = table;
        this.heartbeat = heartbeat;
        this.timeout = timeout;
    }

    @Override
    public void start(BackendEvents events) {
        this.events = events;
    }

    /** One heartbeat on the listening connection: (re)connect, read notifications, check it answers. */
    @Override
    public void beat() throws SQLException {
        if (failed) {
            failed = false;
            health.pause(Watch.probeInterval(heartbeat));
            if (health.isClosed()) {
                return;
            }
        }
        try {
            listenOnce();
        } catch (SQLException | RuntimeException e) {
            failed = true;
            finish();
            throw e;
        }
    }

    private void listenOnce() throws SQLException {
        Connection connection = listening;
        if (connection == null) {
            connection = opener.open();
            listening = connection;
            try (Statement listen = connection.createStatement()) {
                listen.setQueryTimeout(JdbcConnections.wholeSeconds(timeout));
                listen.execute("LISTEN " + table.channel);
            }
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        }
        if (health.isDown()) {
            connections.probe();
            health.restored();
        }
        List<String> payloads = PgNotifications.await(connection, table.channel, heartbeat);
        for (String payload : payloads) {
            table.releasedName(payload).ifPresent(events::released);
        }
        // A notification just read proves the connection works: only a quiet heartbeat needs the
        // round trip of a check. (Checking after every wake-up cost one round trip per release
        // under steady traffic, this process's own releases included.)
        if (payloads.isEmpty() && !health.isClosed() && !connection.isValid(JdbcConnections.wholeSeconds(timeout))) {
            throw new SQLException("the listening connection to " + connections.describe() + " did not answer within "
                    + timeout, "08006");
        }
    }

    /**
     * A LISTEN wait (PgJDBC's getNotifications) does not wake for a flag: without this, every close
     * of a PostgreSQL backend waited out the heartbeat (about 1 s). Aborting the listening connection
     * ends that wait at once; the watch's thread then sees the backend closed and leaves.
     */
    @Override
    public void interrupt() {
        Connection connection = listening;
        if (connection != null) {
            try {
                connection.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // Gone already, or closed by the thread itself meanwhile.
            }
        }
    }

    @Override
    public void finish() {
        Connection connection = listening;
        listening = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException | RuntimeException ignored) {
                // A broken connection cannot be closed more.
            }
        }
    }
}
