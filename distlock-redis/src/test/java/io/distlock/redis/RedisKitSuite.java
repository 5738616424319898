package io.distlock.redis;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.ServerProcess;

import java.util.List;
import java.util.Map;

/**
 * The contract kit on Redis: every topology (single node, Cluster, Sentinel) only says where its
 * servers are; backends and the kit's child JVMs all open the same URI.
 */
abstract class RedisKitSuite extends LockContractSuite {

    /** Where the topology's servers are, with any query parameters it needs (cluster, sentinel). */
    abstract String serverUri();

    /** Every server process of the topology (data nodes and sentinels), whose connections rule 6.4 drops. */
    abstract List<ServerProcess> servers();

    @Override
    protected final int dropConnections() {
        return servers().stream().mapToInt(ServerProcess::dropConnections).sum();
    }

    @Override
    protected Map<ContractRule, String> notApplicable() {
        return Map.of(RESTART, "the kit's redis-servers run without persistence (--save '' --appendonly no): a "
                + "restart forgets the locks and the token counters, a break the README states (contract 7.3) and "
                + "RedisFaultTest measures");
    }

    @Override
    protected final LockBackend newBackend() {
        return RedisLockBackend.open(backendUri());
    }

    @Override
    protected final LockBackend newBackend(String namespace) {
        return RedisLockBackend.builder(backendUri()).namespace(namespace).build();
    }

    @Override
    protected final String backendUri() {
        // Generous timeouts: the kit starts 4 JVMs at once on a 2-core machine, and these tests check
        // exclusion, not timeouts (RedisFaultTest and RedisBadInputTest do).
        String server = serverUri();
        return server + (server.contains("?") ? "&" : "?") + "namespace=kit&connectTimeout=10s&timeout=10s";
    }
}
