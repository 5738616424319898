package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chapter 7 of the contract, <em>Per backend</em> (docs/lock-contract.md): the rules a backend
 * declares not applicable are the ones it pins (7.1; the rest of 7.1 is the whole suite passing),
 * and namespaces (7.2). Rule 7.3 is a statement in each backend's README.
 */
sealed interface PerBackend permits LockContractSuite {

    private ContractFixture kit() {
        return (ContractFixture) this;
    }

    @Test
    @DisplayName("7.1 the rules this backend declares not applicable are exactly the ones its contract test pins")
    default void rule_7_1_notApplicableIsPinned() {
        assertThat(kit().notApplicable().keySet()).as("rules %s declares not applicable, with reasons %s",
                kit().getClass().getSimpleName(), kit().notApplicable())
                .containsExactlyInAnyOrderElementsOf(kit().pinnedNotApplicable());
        assertThat(kit().notApplicable().values()).as("reasons").allMatch(reason -> reason != null && !reason.isBlank());
    }

    @Test
    @DisplayName("7.2 managers in different namespaces never exclude each other")
    // Runs only where NAMESPACE applies (requireApplicable), so newBackend(namespace) is not null.
    @SuppressWarnings("NullAway")
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

    @Test
    @DisplayName("7.2 a namespace that is a prefix of another never meets it: app + lock:x is not app:lock + x")
    // Runs only where NAMESPACE applies (requireApplicable), so newBackend(namespace) is not null.
    @SuppressWarnings("NullAway")
    default void rule_7_2_prefixNamespaces() {
        kit().requireApplicable(LockContractSuite.NAMESPACE);
        String app = "kit-app-" + System.nanoTime();
        String suffix = "-" + System.nanoTime();
        List<String> tried = new ArrayList<>();
        // Every separator a backend might join a namespace and a name with; a backend may refuse
        // some characters in a namespace (the file backend keeps to file-name characters), but not all.
        for (String separator : List.of(":", "/", ".", "-", "_")) {
            String longer = app + separator + "lock";
            LockBackend prefixed;
            try {
                prefixed = kit().newBackend(longer);
            } catch (IllegalArgumentException refused) {
                assertThat(refused).as("refusal of namespace '%s'", longer).hasMessageContaining(longer);
                continue;
            }
            tried.add(longer);
            LockManager inApp = kit().manage(kit().newBackend(app), b -> { });
            LockManager inLonger = kit().manage(prefixed, b -> { });
            String nameInApp = "lock" + separator + "x" + suffix;
            try (Lock a = inApp.acquire(nameInApp, LockOptions.tryOnce());
                 Lock b = inLonger.acquire("x" + suffix, LockOptions.tryOnce())) {
                assertThat(List.of(a, b)).allMatch(Lock::isHeld);
                assertThat(inApp.inspect(nameInApp).map(LockInfo::token)).contains(a.token());
                assertThat(inLonger.inspect("x" + suffix).map(LockInfo::token)).contains(b.token());
                assertThat(inApp.inspect("x" + suffix)).as("namespace %s, name x%s", app, suffix).isEmpty();
            }
        }
        assertThat(tried).as("namespaces with a separator that the backend accepts").isNotEmpty();
    }
}
