package io.distlock.redis;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.server.RedisSentinelFixture;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract kit through Sentinel discovery: every backend, in this JVM and in the kit's child
 * JVMs, knows only the Sentinel's address and asks it for the primary.
 */
class RedisSentinelContractTest extends RedisKitSuite {
    private static RedisSentinelFixture sentinel;

    @BeforeAll
    static void startSentinel() {
        sentinel = new RedisSentinelFixture();
    }

    @AfterAll
    static void stopSentinel() {
        if (sentinel != null) {
            sentinel.close();
        }
    }

    @Override
    List<ServerProcess> servers() {
        List<ServerProcess> servers = new java.util.ArrayList<>(sentinel.dataNodes());
        servers.addAll(sentinel.sentinels());
        return servers;
    }

    @Override
    String serverUri() {
        return sentinel.uri("");
    }

    @Test
    void locksTakenThroughTheSentinelLiveOnThePrimaryItNames() {
        LockManager locks = newManager();
        String name = uniqueName("sentinel");
        try (Lock lock = locks.acquire(name, LockOptions.tryOnce());
             RawRedis primary = new RawRedis(sentinel.primary().port())) {
            assertThat(primary.sync().hget(new RedisKeys("kit", false).lockKey(name), "token"))
                    .isEqualTo(Long.toString(lock.token()));
        }
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(RESTART);
    }
}
