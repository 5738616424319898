package io.distlock.zookeeper;

import io.distlock.testkit.ContractRule;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Set;

/** The whole contract kit against a private ZooKeeper server; child JVMs reach it through the URI. */
class ZooKeeperContractTest extends ZooKeeperKitSuite {
    private static ServerProcess zookeeper;

    @BeforeAll
    static void startZooKeeper() {
        zookeeper = TestBackend.ZOOKEEPER.start();
    }

    @AfterAll
    static void stopZooKeeper() {
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Override
    protected int dropConnections() {
        // The server keeps the sessions: each client reconnects within its session timeout, same session.
        return zookeeper.dropConnections();
    }

    @Override
    protected void restartServer() {
        // The server keeps its data directory (snapshots and transaction log) across the restart.
        zookeeper.restart();
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of();
    }

    @Override
    String hosts() {
        return zookeeper.connectString();
    }
}
