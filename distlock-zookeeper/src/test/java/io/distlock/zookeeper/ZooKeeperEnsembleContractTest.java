package io.distlock.zookeeper;

import io.distlock.testkit.ContractRule;
import io.distlock.testkit.server.ZooKeeperEnsemble;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.Set;

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
        return ensemble.dropConnections();
    }

    @Override
    protected void restartServer() {
        ensemble.restartAll();
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of();
    }

    @Override
    String hosts() {
        return ensemble.hosts();
    }
}
