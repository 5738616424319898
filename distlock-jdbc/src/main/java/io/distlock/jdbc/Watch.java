package io.distlock.jdbc;

import io.distlock.spi.BackendEvents;
import io.distlock.spi.Durations;

import java.sql.SQLException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * One daemon thread per backend that runs the watch's jobs in turn: a heartbeat that tells the
 * engine when the database goes away and comes back ({@link ReleaseListener} on PostgreSQL with
 * notifications, which also wakes waiters; {@link HealthProbe} elsewhere), then the
 * {@link RowSweeper} when a sweep is due. A failed heartbeat is a lost connection.
 */
final class Watch implements Runnable {
    /** One heartbeat's work; it waits out the heartbeat itself (in a pause, or in a LISTEN wait). */
    interface Heartbeat {
        void beat() throws SQLException;

        /** The engine's events are there, before the first beat. */
        default void start(BackendEvents events) {
        }

        /** Wakes a beat that waits where a pause cannot reach it; the watch is closing. */
        default void interrupt() {
        }

        /** The watch's thread is leaving: let go of what the beats keep open. */
        default void finish() {
        }
    }

    private final ConnectionHealth health;
    private final Heartbeat heartbeat;
    private final RowSweeper sweeper;
    /** How long close() waits for the thread: a heartbeat and the check after it. */
    private final Duration longestBeat;
    private @Nullable Thread thread;

    Watch(ConnectionHealth health, Heartbeat heartbeat, RowSweeper sweeper, Duration longestBeat) {
        this.health = health;
        this.heartbeat = heartbeat;
        this.sweeper = sweeper;
        this.longestBeat = longestBeat;
    }

    void start(BackendEvents events) {
        health.start(events);
        heartbeat.start(events);
        thread = new Thread(this, "distlock-jdbc-watch");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        while (!health.isClosed()) {
            try {
                heartbeat.beat();
                sweeper.sweepIfDue();
            } catch (SQLException | RuntimeException failure) {
                if (health.isClosed()) {
                    break;
                }
                health.lost(failure);
            }
        }
        heartbeat.finish();
    }

    /** How often a heartbeat probes while the database is away: a quarter heartbeat, at least 100 ms. */
    static Duration probeInterval(Duration heartbeat) {
        Duration quarter = heartbeat.dividedBy(4);
        return quarter.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : quarter;
    }

    void close() {
        health.close();
        heartbeat.interrupt();
        Thread running = thread;
        if (running != null && running != Thread.currentThread()) {
            try {
                running.join(Durations.saturatedMillis(longestBeat));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
