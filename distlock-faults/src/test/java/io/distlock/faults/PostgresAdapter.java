package io.distlock.faults;

import io.distlock.testkit.server.PostgresServers;
import io.distlock.testkit.server.TestBackend;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JDBC backend on one private PostgreSQL ({@link PostgresServers}), a server of its own, not the
 * one that holds the fenced row: the lease table, or session locks.
 *
 * <p>Two things differ from a single-process server. PostgreSQL is a postmaster and a process per
 * connection, so the server faults act on the whole tree: a crash is SIGKILL to every process (the
 * postmaster first stopped, so it forks no one meanwhile), a freeze is SIGSTOP to every process.
 * And the fixture runs with {@code synchronous_commit=off} for speed, which lets a crash lose the
 * last commits (acquisitions and sequence values included); a user's server commits durably, the
 * default, so the adapter turns it back on for every session ({@code ALTER DATABASE ... SET}, which
 * takes precedence over the server's command line).
 */
final class PostgresAdapter extends ServerAdapter {
    static final Set<Fault> FAULTS = faultsOf(TestBackend.POSTGRES);
    static final String ASYNCHRONOUS_COMMIT_NAME = "jdbc-postgresql, synchronous_commit=off";
    static final String SESSION_NAME = "jdbc-postgresql, session locks";
    private final String name;
    private final String strategy;
    private boolean paused;

    /**
     * {@code durable}: commits flushed before they are acknowledged (the default), else as the
     * fixture runs; {@code strategy}: the backend's {@code distlock.strategy}.
     */
    private PostgresAdapter(String name, boolean durable, String strategy) {
        super(TestBackend.POSTGRES);
        this.name = name;
        this.strategy = strategy;
        if (durable) {
            try (Connection connection = PostgresServers.connect(server); Statement statement = connection.createStatement()) {
                statement.execute("ALTER DATABASE " + PostgresServers.DATABASE + " SET synchronous_commit = on");
            } catch (SQLException e) {
                close();
                throw new IllegalStateException("could not prepare " + server + ": " + e, e);
            }
        }
    }

    /** The lease table on a server that commits durably. */
    static PostgresAdapter durable() {
        return new PostgresAdapter("jdbc-postgresql", true, "table");
    }

    /** The fixture's {@code synchronous_commit=off}: what a crash does to a server that acknowledges commits early. */
    static PostgresAdapter asynchronousCommit() {
        return new PostgresAdapter(ASYNCHRONOUS_COMMIT_NAME, false, "table");
    }

    /** Session locks ({@code pg_try_advisory_lock} on a connection per held lock), durable commits. */
    static PostgresAdapter sessionLocks() {
        return new PostgresAdapter(SESSION_NAME, true, "session");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    Map<String, String> parameters() {
        return Map.of("strategy", strategy);
    }

    /**
     * A crash of the whole server. Every process must be gone, not only signalled, before the
     * restart: a PostgreSQL that finds a process still attached to the old shared memory refuses to
     * start ("pre-existing shared memory block is still in use"), and a SIGKILLed process takes a
     * moment to exit on a loaded machine.
     */
    @Override
    public void killServer() {
        long postmaster = server.pid();
        WorkloadRunner.Signals.send(postmaster, "STOP");
        List<Long> children = children(postmaster);
        for (long child : children) {
            WorkloadRunner.Signals.sendQuietly(child, "KILL");
        }
        if (!WorkloadRunner.poll(Duration.ofSeconds(30), () -> children.stream().allMatch(WorkloadRunner.Signals::exited))) {
            throw new IllegalStateException("PostgreSQL processes " + children + " of " + server + " still run 30 s after SIGKILL");
        }
        server.kill();
    }

    @Override
    public void pauseServer() {
        long postmaster = server.pid();
        WorkloadRunner.Signals.send(postmaster, "STOP");
        paused = true;
        for (long child : children(postmaster)) {
            WorkloadRunner.Signals.sendQuietly(child, "STOP");
        }
    }

    @Override
    public void resumeServer() {
        long postmaster = server.pid();
        for (long child : children(postmaster)) {
            WorkloadRunner.Signals.sendQuietly(child, "CONT");
        }
        WorkloadRunner.Signals.send(postmaster, "CONT");
        paused = false;
    }

    private static List<Long> children(long pid) {
        return ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid).toList();
    }

    @Override
    public void close() {
        if (paused && server.isRunning()) {
            resumeServer();
        }
        super.close();
    }
}
