package io.distlock.zookeeper;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.LockContractSuite;

import java.time.Duration;

/**
 * The contract kit on ZooKeeper: each topology (one server, an ensemble) only says where its
 * servers are and how to drop their connections; backends and the kit's child JVMs open one URI.
 */
abstract class ZooKeeperKitSuite extends LockContractSuite {

    /** The connect string of the topology's servers, {@code host:port[,host:port...]}. */
    abstract String hosts();

    @Override
    protected final Duration leaseRounding(Duration lease) {
        // README "Sessions, leases and what each state means": a contender frees a lock once it has
        // seen the node unchanged for the lease plus 1 %, on its own clock, from its first look.
        return lease.dividedBy(100);
    }

    @Override
    protected final LockBackend newBackend() {
        return ZooKeeperLockBackend.open(backendUri());
    }

    @Override
    protected final LockBackend newBackend(String namespace) {
        return ZooKeeperLockBackend.builder(backendUri()).namespace(namespace).build();
    }

    @Override
    protected final String backendUri() {
        // Generous timeouts: the kit starts 4 JVMs at once on a 2-core machine, and these tests check
        // exclusion, not timeouts (ZooKeeperFaultTest does). A 60 s session (the fixture server's
        // maximum), because the backend refuses leases longer than its session and rule 2.1 asks for 60 s.
        return "zookeeper://" + hosts() + "/kit?namespace=kit&connectTimeout=20s&timeout=10s&sessionTimeout=60s";
    }

    /** The URI's connectTimeout, and its timeout for creating the namespace's nodes. */
    @Override
    protected final Duration openTimeout() {
        return Duration.ofSeconds(30);
    }
}
