package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.distlock.testkit.ContractFixture.lease;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chapter 5 of the contract, <em>Seeing and repairing</em> (docs/lock-contract.md): what
 * {@code inspect}, {@code list} and {@code forceRelease} tell and do.
 */
sealed interface SeeingAndRepairing permits LockContractSuite {

    private ContractFixture kit() {
        return (ContractFixture) this;
    }

    @Test
    @DisplayName("5.1 inspect tells owner, host, pid, thread, times and token")
    default void rule_5_1_inspect() {
        String name = kit().uniqueName("inspect");
        LockManager locks = kit().newManager();
        assertThat(locks.inspect(name)).isEmpty();
        Instant before = Instant.now().minusSeconds(1);
        try (Lock lock = locks.acquire(name, lease(Duration.ofSeconds(30)))) {
            LockInfo info = kit().newManager().inspect(name).orElseThrow();
            assertThat(info.name()).isEqualTo(name);
            assertThat(info.ownerId()).isNotBlank();
            assertThat(info.host()).isNotBlank();
            assertThat(info.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(info.thread()).isEqualTo(Thread.currentThread().getName());
            assertThat(info.acquiredAt()).isBetween(before, Instant.now().plusSeconds(1));
            assertThat(info.expiresAt()).isAfter(Instant.now().plusSeconds(25));
            assertThat(info.token()).isEqualTo(lock.token());
        }
    }

    @Test
    @DisplayName("5.1 list(prefix) lists the held locks under a prefix")
    default void rule_5_1_list() {
        kit().requireApplicable(LockContractSuite.LIST);
        String prefix = kit().uniqueName("list") + "/";
        LockManager locks = kit().newManager();
        Lock a = locks.acquire(prefix + "a");
        Lock b = locks.acquire(prefix + "b");
        Lock outside = locks.acquire(prefix.substring(0, prefix.length() - 1) + "-other");
        List<LockInfo> listed = kit().newManager().list(prefix);
        assertThat(listed).extracting(LockInfo::name).containsExactlyInAnyOrder(prefix + "a", prefix + "b");
        assertThat(listed).extracting(LockInfo::token).containsExactlyInAnyOrder(a.token(), b.token());
        b.release();
        assertThat(locks.list(prefix)).extracting(LockInfo::name).containsExactly(prefix + "a");
        a.release();
        outside.release();
    }

    @Test
    @DisplayName("5.2 forceRelease removes a lock whoever holds it")
    default void rule_5_2_forceRelease() {
        String name = kit().uniqueName("force");
        LockManager holder = kit().newManager();
        LockManager admin = kit().newManager();
        Lock lock = holder.acquire(name);
        assertThat(admin.forceRelease(name)).isTrue();
        assertThat(admin.inspect(name)).isEmpty();
        assertThat(admin.forceRelease(name)).isFalse();
        assertThat(lock.verify()).isFalse();
        try (Lock next = admin.acquire(name, LockOptions.tryOnce())) {
            assertThat(next.token()).isGreaterThan(lock.token());
        }
    }
}
