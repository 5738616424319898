package io.distlock.testkit;

import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.BeforeEach;

import java.util.Map;
import java.util.Set;

/** The in-memory backend keeps the whole contract, within one JVM. */
class InMemoryContractTest extends LockContractSuite {
    private InMemoryLockBackend store;

    @BeforeEach
    void newStore() {
        store = InMemoryLockBackend.create();
    }

    @Override
    protected LockBackend newBackend() {
        return new SharedStore(store);
    }

    @Override
    protected Map<ContractRule, String> notApplicable() {
        return Map.of(
                MULTI_PROCESS, "the in-memory backend lives in one JVM; its locks are not shared with other processes",
                RESTART, "no server to restart: the in-memory store lives as long as this JVM",
                RELEASE_NOTIFICATION, "there is no server to notify other managers; they poll (same-manager waiters are woken)",
                NAMESPACE, "each in-memory store is its own namespace; there is no shared server to divide",
                CONNECTION_DROP, "no connection to drop: the in-memory backend lives in this JVM",
                DROP_NOTICED, "no connection to drop: the in-memory backend lives in this JVM");
    }

    @Override
    protected Set<ContractRule> pinnedNotApplicable() {
        return Set.of(MULTI_PROCESS, RESTART, RELEASE_NOTIFICATION, NAMESPACE, CONNECTION_DROP, DROP_NOTICED);
    }
}
