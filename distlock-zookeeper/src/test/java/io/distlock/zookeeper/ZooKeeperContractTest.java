package io.distlock.zookeeper;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The whole contract kit against a private ZooKeeper server; child JVMs reach it through the URI. */
class ZooKeeperContractTest extends LockContractSuite {
    private static ServerProcess zookeeper;

    @BeforeAll
    static void startZooKeeper() {
        zookeeper = ZooKeeperServers.start();
    }

    @AfterAll
    static void stopZooKeeper() {
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Override
    protected LockBackend newBackend() {
        return ZooKeeperLockBackend.open(backendUri());
    }

    @Override
    protected LockBackend newBackend(String namespace) {
        return ZooKeeperLockBackend.builder(backendUri()).namespace(namespace).build();
    }

    @Override
    protected int dropConnections() {
        // The server keeps the sessions: each client reconnects within its session timeout, same session.
        return zookeeper.resetClientConnections();
    }

    @Override
    protected String backendUri() {
        // Generous timeouts: the kit starts 4 JVMs at once on a 2-core machine, and these tests check
        // exclusion, not timeouts (ZooKeeperFaultTest does).
        return "zookeeper://127.0.0.1:" + zookeeper.port() + "/kit?namespace=kit&connectTimeout=20s&timeout=10s";
    }
}
