package io.distlock.faults;

import io.distlock.testkit.server.ZooKeeperServers;
import io.distlock.testkit.server.TestBackend;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * One private ZooKeeper server ({@link ZooKeeperServers}: its own JVM, data on disk in its
 * directory, so a restart keeps the lock nodes and the sessions that own them). The session timeout
 * is the setting that matters: a lock is an ephemeral node that goes with its session, so a session
 * shorter than the lease can expire, and hand the lock to another client, while its holder's lease
 * still runs (the backend's README: keep the lease no longer than the session). The suite runs both:
 * a session longer than the lease, as advised, and one shorter, where a paused or cut-off holder's
 * session expires before its lease.
 */
final class ZooKeeperAdapter extends ServerAdapter {
    static final Set<Fault> FAULTS = faultsOf(TestBackend.ZOOKEEPER);
    /** Longer than both suites' leases (1.5 s, 2 s). */
    static final Duration SESSION = Duration.ofSeconds(4);
    /** The server's minimum here (ZooKeeperServers' minSessionTimeout); FaultPlans runs it with a 3 s lease. */
    static final Duration SHORT_SESSION = Duration.ofSeconds(1);
    static final String SHORT_SESSION_NAME = "zookeeper, session " + SHORT_SESSION.toMillis() + " ms (shorter than the lease)";
    private final Duration session;

    ZooKeeperAdapter(Duration session) {
        super(TestBackend.ZOOKEEPER);
        this.session = session;
    }

    static ZooKeeperAdapter sessionLongerThanLease() {
        return new ZooKeeperAdapter(SESSION);
    }

    static ZooKeeperAdapter sessionShorterThanLease() {
        return new ZooKeeperAdapter(SHORT_SESSION);
    }

    @Override
    public String name() {
        return session.equals(SESSION) ? "zookeeper" : SHORT_SESSION_NAME;
    }

    @Override
    Map<String, String> parameters() {
        return Map.of("sessionTimeout", session.toMillis() + "ms");
    }
}
