package io.distlock.zookeeper;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.LockContractSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole contract kit against a private 3-server ensemble: each backend's client picks one of
 * the three servers, so managers of one test talk to different servers (leader and followers), and
 * the busy reads may be answered by a follower that lags.
 */
class ZooKeeperEnsembleContractTest extends LockContractSuite {
    private static ZooKeeperEnsemble ensemble;

    @BeforeAll
    static void startEnsemble() {
        ensemble = ZooKeeperEnsemble.start(3);
    }

    @AfterAll
    static void stopEnsemble() {
        if (ensemble != null) {
            ensemble.close();
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
        return ensemble.resetClientConnections();
    }

    @Override
    protected String backendUri() {
        return "zookeeper://" + ensemble.hosts() + "/kit?namespace=kit&connectTimeout=20s&timeout=10s";
    }
}
