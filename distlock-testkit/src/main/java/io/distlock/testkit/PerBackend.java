package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chapter 7 of the contract, <em>Per backend</em> (docs/lock-contract.md): namespaces (7.2).
 * Rule 7.1 is the whole suite passing; rule 7.3 is a statement in each backend's README.
 */
sealed interface PerBackend permits LockContractSuite {

    private ContractFixture kit() {
        return (ContractFixture) this;
    }

    @Test
    @DisplayName("7.2 managers in different namespaces never exclude each other")
    default void rule_7_2_namespaces() {
        kit().requireApplicable(LockContractSuite.NAMESPACE);
        String name = kit().uniqueName("namespace");
        LockBackend tenantA = kit().newBackend("kit-tenant-a");
        LockBackend tenantB = kit().newBackend("kit-tenant-b");
        assertThat(tenantA).as("newBackend(namespace) of a backend with namespaces").isNotNull();
        LockManager a = kit().manage(tenantA, b -> { });
        LockManager b = kit().manage(tenantB, x -> { });
        LockManager defaultNamespace = kit().newManager();
        try (Lock inA = a.acquire(name, LockOptions.tryOnce());
             Lock inB = b.acquire(name, LockOptions.tryOnce());
             Lock inDefault = defaultNamespace.acquire(name, LockOptions.tryOnce())) {
            assertThat(List.of(inA, inB, inDefault)).allMatch(Lock::isHeld);
            assertThat(kit().manage(kit().newBackend("kit-tenant-a"), x -> { }).tryAcquire(name)).isEmpty();
        }
    }
}
