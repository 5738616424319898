package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chapter 6 of the contract, <em>Bad input and faults</em> (docs/lock-contract.md), as far as a
 * backend takes part without its server being stopped: every name is its own lock. Input the
 * engine refuses before any backend sees it (6.2) and the exception hierarchy (6.5) are checked
 * once, in the kit's own tests; a server that is down or drops its connections (6.3, 6.4) is
 * tested in each backend's module, which starts and stops that server.
 */
sealed interface BadInputAndFaults permits LockContractSuite {

    private ContractFixture kit() {
        return (ContractFixture) this;
    }

    @Test
    @DisplayName("6.1 any name up to 1024 UTF-8 bytes is its own lock; names never escape the namespace")
    default void rule_6_1_names() {
        LockManager first = kit().newManager();
        LockManager second = kit().newManager();
        String unique = kit().uniqueName("n");
        List<String> names = List.of(
                unique + "../../etc/passwd", unique + "/", unique + "a/b", unique + "a_b", unique + "a%2Fb",
                unique + "A", unique + "a", unique + " spaced name", unique + "\u0000nul", unique + "\n\t",
                unique + "CON", unique + "nul", unique + "ünïcødé-名前-🔒", unique + ":colon", unique + "*",
                unique + "x".repeat(1024 - unique.length()),
                unique + "é".repeat((1024 - unique.length()) / 2));
        List<Lock> held = new ArrayList<>();
        for (String name : names) {
            assertThat(name.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(1024);
            Lock lock = first.acquire(name, LockOptions.tryOnce());
            held.add(lock);
            assertThat(lock.name()).isEqualTo(name);
        }
        for (String name : names) {
            assertThat(second.tryAcquire(name)).as("'%s' is busy from another manager", name).isEmpty();
            assertThat(second.inspect(name)).as("inspect '%s'", name).map(LockInfo::name).contains(name);
        }
        held.forEach(Lock::release);
        for (String name : names) {
            assertThat(second.inspect(name)).as("'%s' released", name).isEmpty();
        }
    }
}
