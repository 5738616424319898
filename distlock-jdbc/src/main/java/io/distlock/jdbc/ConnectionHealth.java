package io.distlock.jdbc;

import io.distlock.spi.BackendEvents;
import io.distlock.spi.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Whether the database is in reach, as the engine hears it: {@code connectionLost} once when it
 * goes, {@code connectionRestored} once when it is back. Whoever sees a failure reports it here (a
 * failed statement, a dead session, the health probe, the listener); only the watch's jobs find
 * the database back. The watch's thread waits here between heartbeats, and a loss wakes it, so
 * the database is probed for at once.
 */
final class ConnectionHealth {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionHealth.class);

    private final String description;
    private final Set<String> secrets;
    private final Object pause = new Object();
    private volatile @Nullable BackendEvents events;
    private volatile boolean closed;
    private boolean down;

    ConnectionHealth(String description, Set<String> secrets) {
        this.description = description;
        this.secrets = secrets;
    }

    void start(BackendEvents events) {
        this.events = events;
    }

    /** A statement failed: if the failure says the connection is gone, held locks are suspended. */
    void failed(SQLException failure) {
        if (JdbcConnections.isConnectionProblem(failure)) {
            lost(failure);
        }
    }

    /** The database is out of reach: held locks are suspended until a watch job finds it back. */
    void lost(Throwable cause) {
        BackendEvents target = events;
        synchronized (this) {
            if (down || target == null || closed) {
                return;
            }
            down = true;
            LOG.warn("{}: database connection lost: {}", description, Secrets.maskText(String.valueOf(cause), secrets));
            target.connectionLost(cause);
        }
        synchronized (pause) {
            pause.notifyAll();
        }
    }

    /** A watch job found the database answering again. */
    void restored() {
        synchronized (this) {
            if (!down || closed) {
                return;
            }
            down = false;
            LOG.info("{}: database connection restored", description);
            BackendEvents target = events;
            if (target != null) { // always: down is set only once the events are there
                target.connectionRestored();
            }
        }
    }

    synchronized boolean isDown() {
        return down;
    }

    boolean isClosed() {
        return closed;
    }

    /** Waits {@code duration}, or less when the connection is lost or the backend closes meanwhile. */
    // One wait, not a loop: waking early (spuriously, or on a loss) only makes the next probe come sooner.
    @SuppressWarnings("WaitNotInLoop")
    void pause(Duration duration) {
        synchronized (pause) {
            if (closed) {
                return;
            }
            try {
                pause.wait(Math.max(1, duration.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closed = true;
            }
        }
    }

    /** No more reports; a pause ends now. */
    void close() {
        closed = true;
        synchronized (pause) {
            pause.notifyAll();
        }
    }
}
