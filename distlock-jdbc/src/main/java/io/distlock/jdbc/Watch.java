package io.distlock.jdbc;

import io.distlock.spi.BackendEvents;
import io.distlock.spi.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One daemon thread per backend that tells the engine when the database goes away and comes back,
 * and, on PostgreSQL, when another process released a lock: it owns the one listening connection
 * ({@code LISTEN}), reads notifications between heartbeats, and reconnects after a failure.
 * Elsewhere it only checks the pool at each heartbeat. It also sweeps long-released rows now and then.
 */
final class Watch implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Watch.class);

    /** Opens the listening connection; the caller closes it. */
    interface Opener {
        Connection open() throws SQLException;
    }

    private final JdbcLockBackend backend;
    private final LeaseTable table;
    private final Opener listenerOpener;
    private final Duration heartbeat;
    private final Duration timeout;
    private final Duration retention;
    private final Object pause = new Object();
    private volatile boolean closed;
    private volatile BackendEvents events;
    private boolean down;
    private Thread thread;
    /** Written by the watch thread; read by close() to wake its LISTEN wait. */
    private volatile Connection listening;
    private long nextSweep;

    Watch(JdbcLockBackend backend, LeaseTable table, Opener listenerOpener, Duration heartbeat, Duration timeout,
          Duration retention) {
        this.backend = backend;
        this.table = table;
        this.listenerOpener = listenerOpener;
        this.heartbeat = heartbeat;
        this.timeout = timeout;
        this.retention = retention;
    }

    void start(BackendEvents events) {
        this.events = events;
        // The first sweep at a random point of the first interval, so processes started together spread out.
        nextSweep = System.nanoTime() + (long) (ThreadLocalRandom.current().nextDouble() * sweepInterval().toNanos());
        thread = new Thread(this, "distlock-jdbc-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private Duration sweepInterval() {
        return retention.dividedBy(4).compareTo(Duration.ofMinutes(15)) > 0 ? Duration.ofMinutes(15)
                : retention.dividedBy(4);
    }

    /** An operation failed: if the failure says the connection is gone, held locks are suspended. */
    void failed(SQLException failure) {
        if (JdbcLockBackend.isConnectionProblem(failure)) {
            lost(failure);
        }
    }

    /** The database is out of reach: held locks are suspended until the watch finds it back. */
    void lost(Throwable cause) {
        BackendEvents target = events;
        synchronized (this) {
            if (down || target == null || closed) {
                return;
            }
            down = true;
            LOG.warn("{}: database connection lost: {}", backend.describe(), backend.masked(cause));
            target.connectionLost(cause);
        }
        synchronized (pause) {
            pause.notifyAll();
        }
    }

    private void restored() {
        synchronized (this) {
            if (!down || closed) {
                return;
            }
            down = false;
            LOG.info("{}: database connection restored", backend.describe());
            events.connectionRestored();
        }
    }

    private synchronized boolean isDown() {
        return down;
    }

    @Override
    public void run() {
        while (!closed) {
            try {
                if (listenerOpener != null) {
                    listenOnce();
                } else {
                    pause(isDown() ? probeInterval() : heartbeat);
                    if (closed) {
                        break;
                    }
                    backend.probe();
                    restored();
                }
                sweepIfDue();
            } catch (SQLException | RuntimeException failure) {
                closeListening();
                if (closed) {
                    break;
                }
                lost(failure);
                if (listenerOpener != null) {
                    pause(probeInterval());
                }
            }
        }
        closeListening();
    }

    private Duration probeInterval() {
        Duration quarter = heartbeat.dividedBy(4);
        return quarter.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : quarter;
    }

    /** One heartbeat on the listening connection: (re)connect, read notifications, check it answers. */
    private void listenOnce() throws SQLException {
        if (listening == null) {
            Connection connection = listenerOpener.open();
            listening = connection;
            try (Statement listen = connection.createStatement()) {
                listen.setQueryTimeout(seconds(timeout));
                listen.execute("LISTEN " + table.channel);
            }
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        }
        if (isDown()) {
            backend.probe();
            restored();
        }
        List<String> payloads = PgNotifications.await(listening, table.channel, heartbeat);
        for (String payload : payloads) {
            table.releasedName(payload).ifPresent(events::released);
        }
        // A notification just read proves the connection works: only a quiet heartbeat needs the
        // round trip of a check. (Checking after every wake-up cost one round trip per release
        // under steady traffic, this process's own releases included.)
        if (payloads.isEmpty() && !closed && !listening.isValid(seconds(timeout))) {
            throw new SQLException("the listening connection to " + backend.describe() + " did not answer within "
                    + timeout, "08006");
        }
    }

    private void sweepIfDue() {
        if (closed || isDown() || System.nanoTime() - nextSweep < 0) {
            return;
        }
        nextSweep = Durations.deadlineNanos(System.nanoTime(), sweepInterval());
        try {
            int swept = backend.sweep(retention);
            if (swept > 0) {
                LOG.debug("{}: swept {} rows released more than {} ago", backend.describe(), swept, retention);
            }
        } catch (RuntimeException failure) {
            LOG.debug("{}: sweep failed: {}", backend.describe(), backend.masked(failure));
        }
    }

    private static int seconds(Duration duration) {
        return (int) Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    private void pause(Duration duration) {
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

    private void closeListening() {
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

    void close() {
        closed = true;
        synchronized (pause) {
            pause.notifyAll();
        }
        // A LISTEN wait (PgJDBC's getNotifications) does not wake for a flag: without this, every
        // close of a PostgreSQL backend waited out the heartbeat (about 1 s). Aborting the listening
        // connection ends that wait at once; the thread then sees it closed and leaves.
        Connection connection = listening;
        if (connection != null) {
            try {
                connection.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // Gone already, or closed by the thread itself meanwhile.
            }
        }
        Thread running = thread;
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(Durations.saturatedMillis(heartbeat.plus(timeout).plus(timeout)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
