package io.distlock.redis;

import io.distlock.testkit.ContractRule;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.util.List;
import java.util.Set;

/** The whole contract kit against a private redis-server; child JVMs reach it through the URI. */
class RedisContractTest extends RedisKitSuite {
    private static ServerProcess redis;

    @BeforeAll
    static void startRedis() {
        redis = TestBackend.REDIS.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    List<ServerProcess> servers() {
        return List.of(redis);
    }

    @Override
    String serverUri() {
        return TestBackend.REDIS.uri(redis);
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(RESTART);
    }
}
