package io.distlock.testkit;

import io.distlock.ListPage;
import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.distlock.testkit.ContractFixture.lease;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    @DisplayName("5.1 list(prefix, limit) gives at most limit locks and says when there are more")
    default void rule_5_1_listLimit() {
        kit().requireApplicable(LockContractSuite.LIST);
        String prefix = kit().uniqueName("page") + "/";
        LockManager locks = kit().newManager();
        List<Lock> held = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                held.add(locks.acquire(prefix + i));
            }
            held.add(locks.acquire(prefix.substring(0, prefix.length() - 1) + "-other"));
            List<String> names = held.subList(0, 5).stream().map(Lock::name).toList();
            LockManager viewer = kit().newManager();
            for (int limit : new int[] {1, 3, 4}) {
                ListPage page = viewer.list(prefix, limit);
                assertThat(page.truncated()).as("limit %d of 5 locks is truncated", limit).isTrue();
                assertThat(page.locks()).extracting(LockInfo::name).as("limit %d", limit).hasSize(limit)
                        .doesNotHaveDuplicates().isSorted().isSubsetOf(names);
            }
            for (int limit : new int[] {5, 6, 1000, Integer.MAX_VALUE}) {
                ListPage page = viewer.list(prefix, limit);
                assertThat(page.truncated()).as("limit %d of 5 locks is not truncated", limit).isFalse();
                assertThat(page.locks()).extracting(LockInfo::name).as("limit %d", limit).containsExactlyElementsOf(names);
            }
            assertThatThrownBy(() -> viewer.list(prefix, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("limit").hasMessageContaining("0");
        } finally {
            held.forEach(Lock::release);
        }
        assertThat(locks.list(prefix, 1)).isEqualTo(new ListPage(List.of(), false));
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
