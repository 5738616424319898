package io.distlock.faults;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * What the fault suite needs to know of one backend: the URI its clients open, its server fixture
 * and the server's fault actions. A backend on one server process extends {@link ServerAdapter}
 * around its module's own test fixture and writes only its name and URI (see {@link RedisAdapter});
 * a serverless one implements only {@link #clientUri} (see {@link FileAdapter}). One adapter
 * instance serves one run.
 */
interface BackendAdapter extends AutoCloseable {

    /** The backend's name in the report, e.g. {@code redis}. */
    String name();

    /**
     * The URI a client opens. {@code via} is null for a direct connection, or the address of the
     * suite's TCP proxy for the client whose connection a run cuts or stalls: the URI must then
     * reach the server only through it (Redis: the proxy's port instead of the server's).
     */
    String clientUri(Path runDirectory, InetSocketAddress via);

    /** The server's address, which a proxy forwards to; only for backends with a server. */
    default InetSocketAddress serverAddress() {
        throw new UnsupportedOperationException(name() + " has no server");
    }

    /** SIGKILL to the server process. */
    default void killServer() {
        throw new UnsupportedOperationException(name() + " has no server");
    }

    /** Starts the server again after {@link #killServer()}, same address, and returns once it serves. */
    default void startServer() {
        throw new UnsupportedOperationException(name() + " has no server");
    }

    /** SIGSTOP to the server process. */
    default void pauseServer() {
        throw new UnsupportedOperationException(name() + " has no server");
    }

    /** SIGCONT to the server process. */
    default void resumeServer() {
        throw new UnsupportedOperationException(name() + " has no server");
    }

    /**
     * Fails the primary that holds the lock's data over to a replica: SIGKILL, or SIGSTOP if
     * {@code pause}; returns once the replica serves in its place (every client is sent there)
     * and the old primary is back as a replica, each wait bounded by {@code within}. Returns what
     * happened, for the report's details.
     */
    default String failOver(boolean pause, Duration within) {
        throw new UnsupportedOperationException(name() + " has no replicas");
    }

    /**
     * Holds back replication from that primary to its replica until the next {@link #failOver}:
     * from now on writes reach only the primary. Returns once that is so.
     */
    default void holdReplication(Duration within) {
        throw new UnsupportedOperationException(name() + " cannot hold back replication");
    }

    /** How many bytes of replication stream that primary has sent that its replica has not received. */
    default long replicationLag() {
        throw new UnsupportedOperationException(name() + " has no replicas");
    }

    /** The faults that make sense here: client faults everywhere, server and connection faults where there is a server. */
    default Set<Fault> faults() {
        return CLIENT_FAULTS;
    }

    /** What every backend can be given: faults of the clients alone. */
    Set<Fault> CLIENT_FAULTS = java.util.Collections.unmodifiableSet(EnumSet.of(Fault.NONE, Fault.KILL_HOLDER, Fault.PAUSE_HOLDER));

    /** Stops what the adapter started (by pid, never by name). */
    @Override
    void close();
}
