package io.distlock.zookeeper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The whole contract kit against a private 3-server ensemble: each backend's client picks one of
 * the three servers, so managers of one test talk to different servers (leader and followers), and
 * the busy reads may be answered by a follower that lags.
 */
class ZooKeeperEnsembleContractTest extends ZooKeeperKitSuite {
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
    protected int dropConnections() {
        return ensemble.resetClientConnections();
    }

    @Override
    String hosts() {
        return ensemble.hosts();
    }
}
