package io.distlock.jdbc;

import io.distlock.spi.Durations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Deletes rows released longer ago than the retention, now and then (every quarter of the
 * retention, at most every 15 minutes), and never while the database is away. A failed sweep costs
 * a debug line; the next one tries again.
 */
final class RowSweeper {
    private static final Logger LOG = LoggerFactory.getLogger(RowSweeper.class);

    private final JdbcConnections connections;
    private final LeaseTable table;
    private final Duration retention;
    private final Duration interval;
    private long nextSweep;

    RowSweeper(JdbcConnections connections, LeaseTable table, Duration retention) {
        this.connections = connections;
        this.table = table;
        this.retention = retention;
        Duration quarter = retention.dividedBy(4);
        this.interval = quarter.compareTo(Duration.ofMinutes(15)) > 0 ? Duration.ofMinutes(15) : quarter;
        // The first sweep at a random point of the first interval, so processes started together spread out.
        this.nextSweep = System.nanoTime() + (long) (ThreadLocalRandom.current().nextDouble() * interval.toNanos());
    }

    void sweepIfDue() {
        ConnectionHealth health = connections.health();
        if (health.isClosed() || health.isDown() || System.nanoTime() - nextSweep < 0) {
            return;
        }
        nextSweep = Durations.deadlineNanos(System.nanoTime(), interval);
        try {
            int swept = connections.call("sweep", null, true, connection -> table.sweep(connection, retention));
            if (swept > 0) {
                LOG.debug("{}: swept {} rows released more than {} ago", connections.describe(), swept, retention);
            }
        } catch (RuntimeException failure) {
            LOG.debug("{}: sweep failed: {}", connections.describe(), connections.masked(failure));
        }
    }
}
