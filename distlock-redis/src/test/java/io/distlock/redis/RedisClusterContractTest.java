package io.distlock.redis;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.server.RedisClusterFixture;
import io.distlock.testkit.server.ServerProcess;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract kit against a three-node Redis Cluster, plus what only a cluster shows: per-slot
 * token counters beside their locks, SCAN over every node, pub/sub across nodes, WAIT on the
 * node that owns the key.
 */
class RedisClusterContractTest extends RedisKitSuite {
    private static RedisClusterFixture cluster;

    @BeforeAll
    static void startCluster() {
        cluster = new RedisClusterFixture();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    List<ServerProcess> servers() {
        return cluster.nodes();
    }

    @Override
    String serverUri() {
        return cluster.seedUri();
    }

    @Test
    void locksSpreadOverEveryNodeWithTheirTokenCounterInTheSameSlot() {
        LockManager locks = newManager();
        List<Lock> held = new ArrayList<>();
        Set<Integer> nodesUsed = new HashSet<>();
        RedisKeys keys = new RedisKeys("kit", true);
        for (int i = 0; i < 30; i++) {
            String name = uniqueName("spread-" + i);
            held.add(locks.acquire(name, LockOptions.tryOnce()));
            String lockKey = keys.lockKey(name);
            int slot = SlotHash.getSlot(lockKey);
            assertThat(SlotHash.getSlot(keys.tokenKey(lockKey))).as("counter slot of %s", name).isEqualTo(slot);
            nodesUsed.add(slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2);
        }
        assertThat(nodesUsed).as("locks on all three nodes").hasSize(3);
        assertThat(locks.list("kit-spread-")).extracting(LockInfo::name)
                .containsExactlyInAnyOrderElementsOf(held.stream().map(Lock::name).toList());
        held.forEach(Lock::release);
    }

    @Test
    void tokensIncreasePerNameOnEveryNode() {
        LockManager first = newManager();
        LockManager second = newManager();
        for (int n = 0; n < 6; n++) {
            String name = uniqueName("tokens-" + n);
            long previous = 0;
            for (int i = 0; i < 4; i++) {
                try (Lock lock = (i % 2 == 0 ? first : second).acquire(name)) {
                    assertThat(lock.token()).isGreaterThan(previous);
                    previous = lock.token();
                }
            }
        }
    }

    @Test
    void waitForReplicasAsksTheNodeThatOwnsTheKey() {
        LockManager locks = manage(RedisLockBackend.builder(backendUri()).replicas(1, Duration.ofMillis(100)).build(),
                b -> { });
        String name = uniqueName("wait");
        assertThatThrownBy(() -> locks.acquire(name)).isInstanceOf(LockBackendException.class)
                .hasMessageContaining("only 0 of the required 1 replica(s)");
        assertThat(locks.inspect(name)).isEmpty();
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(RESTART);
    }
}
