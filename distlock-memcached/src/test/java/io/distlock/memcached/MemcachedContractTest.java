package io.distlock.memcached;

import io.distlock.spi.LockBackend;
import io.distlock.testkit.ContractRule;
import io.distlock.testkit.LockContractSuite;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whole contract kit against two private memcached servers (names spread over both); child
 * JVMs reach them through the URI. Three rules cannot apply to memcached, for the reasons given.
 */
class MemcachedContractTest extends LockContractSuite {
    private static ServerProcess first;
    private static ServerProcess second;

    @BeforeAll
    static void startServers() {
        first = TestBackend.MEMCACHED.start();
        second = TestBackend.MEMCACHED.start();
    }

    @AfterAll
    static void stopServers() {
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Override
    protected LockBackend newBackend() {
        return MemcachedLockBackend.open(backendUri());
    }

    @Override
    protected LockBackend newBackend(String namespace) {
        return MemcachedLockBackend.builder(backendUri()).namespace(namespace).build();
    }

    @Override
    protected String backendUri() {
        // Generous timeouts: the kit starts 4 JVMs at once on a 2-core machine, and these tests check
        // exclusion, not timeouts (MemcachedFaultTest and MemcachedBadInputTest do).
        return TestBackend.MEMCACHED.uri(List.of(first, second),
                TestBackend.parameters("namespace", "kit", "timeout", "10s", "connectTimeout", "10s"));
    }

    @Override
    protected int dropConnections() {
        return first.dropConnections() + second.dropConnections();
    }

    @Override
    protected Duration leaseRounding(Duration lease) {
        // README "Leases: whole seconds, plus two": the lease rounded up to whole seconds, and a lock
        // whose holder died stays up to 3 s longer than that.
        return Duration.ofSeconds(MemcachedConnection.ceilSeconds(lease) + 3).minus(lease);
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(RELEASE_NOTIFICATION, LIST, RESTART);
    }

    @Override
    protected Map<ContractRule, String> notApplicable() {
        return Map.of(
                RESTART, "a memcached restart forgets every item, the locks and the token counters: a break the "
                        + "README states (contract 7.3) and MemcachedFaultTest measures",
                RELEASE_NOTIFICATION, "memcached has no notifications (no pub/sub, no watches): a waiter in another "
                        + "manager learns of a release at its next poll, at the retry interval with jitter",
                LIST, "memcached cannot enumerate its keys, so list(prefix) is unsupported (LockException); "
                        + "inspect(name) works");
    }
}
