package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chapter 6 of the contract, <em>Bad input and faults</em> (docs/lock-contract.md), as far as a
 * backend takes part without its server being stopped: every name is its own lock (6.1), and a
 * connection the server drops suspends and then restores a held lock (6.4, through the fixture's
 * {@code dropConnections()}). Input the engine refuses before any backend sees it (6.2) and the
 * exception hierarchy (6.5) are checked once, in the kit's own tests; a server that is down (6.3),
 * and the lost side of 6.4 (a server that restarts empty, a lease that ends while suspended), are
 * tested in each backend's module, which starts and stops that server.
 */
sealed interface BadInputAndFaults permits LockContractSuite {

    private ContractFixture kit() {
        return (ContractFixture) this;
    }

    @Test
    @DisplayName("6.1 any name up to 1024 UTF-8 bytes is its own lock; names never escape the namespace; an unpaired surrogate is refused")
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
        // Not well-formed UTF-16: UTF-8 would make every unpaired surrogate '?', so such names are
        // refused (by the engine, for every backend alike), naming the index, never the character.
        try (Lock question = first.acquire(unique + "?", LockOptions.tryOnce())) {
            for (String lone : List.of(unique + "\uD800", unique + "\uDC00", unique + "\uDC00\uD800")) {
                assertThatThrownBy(() -> second.tryAcquire(lone)).as("a name with an unpaired surrogate")
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("index " + unique.length())
                        .hasMessageNotContaining(lone.substring(unique.length()));
            }
            assertThat(question.isHeld()).isTrue();
        }
    }

    @Test
    @DisplayName("6.1 names that differ only in their last byte, after 1,000 equal bytes, are different locks")
    default void rule_6_1_longNamesDifferingInTheLastByte() {
        LockManager first = kit().newManager();
        LockManager second = kit().newManager();
        String unique = kit().uniqueName("long");
        String common = unique + "x".repeat(1023 - unique.length());
        List<String> names = List.of(common + "a", common + "b", common.substring(0, 1000) + "é".repeat(11) + "c");
        List<Lock> held = new ArrayList<>();
        for (String name : names) {
            assertThat(name.getBytes(StandardCharsets.UTF_8).length).isBetween(1001, 1024);
            Optional<Lock> lock = first.tryAcquire(name);
            assertThat(lock).as("a name of %d bytes whose first 1,000 bytes are those of a name already held",
                    name.getBytes(StandardCharsets.UTF_8).length).isPresent();
            held.add(lock.get());
        }
        for (String name : names) {
            assertThat(second.inspect(name).map(LockInfo::name)).as("inspect of a long name").contains(name);
        }
        held.get(0).release();
        assertThat(second.inspect(names.get(0))).as("released").isEmpty();
        assertThat(second.inspect(names.get(1)).map(LockInfo::token)).as("its neighbour, still held")
                .contains(held.get(1).token());
        held.subList(1, held.size()).forEach(Lock::release);
    }

    @Test
    @DisplayName("6.4 a connection the server drops suspends a held lock, then restores it: exclusive throughout, "
            + "the lost listener never called, a waiter keeps waiting")
    default void rule_6_4_droppedConnectionRestores() throws Exception {
        kit().requireApplicable(LockContractSuite.CONNECTION_DROP);
        String name = kit().uniqueName("dropped");
        RecordingListener events = new RecordingListener();
        AtomicInteger lostCalls = new AtomicInteger();
        LockManager holder = kit().newManager(builder -> builder.listener(events));
        LockManager rival = kit().newManager();
        LockManager waiter = kit().newManager();
        // Auto-renewed, as the example: renewals must pause while suspended and go on after.
        Lock lock = holder.acquire(name, LockOptions.builder().lease(Duration.ofSeconds(8)).autoRenew(true)
                .onLost((lost, cause) -> lostCalls.incrementAndGet()).build());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Lock> waiting = pool.submit(() -> waiter.acquire(name,
                    LockOptions.builder().waitTime(ContractFixture.PATIENCE.multipliedBy(2)).build()));

            assertThat(kit().dropConnections()).as("connections the server dropped").isPositive();
            // Whether the drop is noticed at all is its own test, rule_6_4_droppedConnectionNoticed.
            if (!kit().notApplicable().containsKey(LockContractSuite.DROP_NOTICED)) {
                Eventually.until("the holder's lock reported suspended", ContractFixture.PATIENCE,
                        () -> events.log.contains("suspended " + name));
                assertNotTakenBy(rival, name);
            }
            List<String> answers = new CopyOnWriteArrayList<>();
            try {
                Eventually.until("verify() asks the backend and hears the lock is still the holder's",
                        ContractFixture.PATIENCE, () -> answersTrue(lock, answers));
            } catch (AssertionError notConfirmed) {
                throw new AssertionError(notConfirmed.getMessage() + "; verify() answered, first and last: "
                        + (answers.isEmpty() ? "nothing" : answers.get(0) + " ... " + answers.get(answers.size() - 1))
                        + "; listener events " + events, notConfirmed);
            }
            Eventually.until("held again, every suspension followed by a restore", ContractFixture.PATIENCE,
                    () -> lock.isHeld() && events.count("suspended " + name) == events.count("restored " + name));

            assertNotTakenBy(rival, name);
            assertThat(outcome(waiting)).as("the waiter, who must still be waiting").isEqualTo("waiting");
            try {
                lock.extend(Duration.ofSeconds(8));
            } catch (RuntimeException e) {
                throw new AssertionError("extend after the restore failed; listener events " + events, e);
            }
            assertThat(lock.isHeld()).isTrue();
            assertThat(events.log).as("listener events").doesNotContain("lost " + name);
            assertThat(lostCalls).as("calls of the lock's onLost").hasValue(0);

            long token = lock.token();
            lock.release();
            try (Lock next = waiting.get(ContractFixture.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                assertThat(next.token()).as("token of the waiter, who waited through the drop").isGreaterThan(token);
            }
        } finally {
            ContractFixture.stop(pool);
        }
    }

    @Test
    @DisplayName("6.4 a connection the server drops is noticed: the held lock is reported suspended at once, "
            + "then restored")
    default void rule_6_4_droppedConnectionNoticed() {
        kit().requireApplicable(LockContractSuite.CONNECTION_DROP);
        kit().requireApplicable(LockContractSuite.DROP_NOTICED);
        String name = kit().uniqueName("noticed");
        RecordingListener events = new RecordingListener();
        LockManager holder = kit().newManager(builder -> builder.listener(events));
        Lock lock = holder.acquire(name, LockOptions.builder().lease(Duration.ofSeconds(20)).build());
        assertThat(kit().dropConnections()).as("connections the server dropped").isPositive();
        Eventually.until("the holder's lock reported suspended", ContractFixture.PATIENCE,
                () -> events.log.contains("suspended " + name));
        Eventually.until("the lock restored", ContractFixture.PATIENCE,
                () -> lock.isHeld() && events.count("suspended " + name) == events.count("restored " + name));
        assertThat(events.log).as("listener events").doesNotContain("lost " + name);
        assertThat(lock.release()).isTrue();
    }

    private static String outcome(Future<Lock> waiting) {
        if (!waiting.isDone()) {
            return "waiting";
        }
        try {
            Lock taken = waiting.get();
            return "acquired with token " + taken.token();
        } catch (Exception e) {
            return "failed: " + (e.getCause() != null ? e.getCause() : e);
        }
    }

    private static boolean answersTrue(Lock lock, List<String> answers) {
        try {
            boolean mine = lock.verify();
            answers.add(String.valueOf(mine));
            return mine;
        } catch (LockBackendException reconnecting) {
            answers.add(reconnecting.toString());
            return false;
        }
    }

    /** The rival may be cut off itself (then it cannot take anything), but it must never get the lock. */
    private static void assertNotTakenBy(LockManager rival, String name) {
        Optional<Lock> taken;
        try {
            taken = rival.tryAcquire(name);
        } catch (LockBackendException cutOff) {
            return;
        }
        taken.ifPresent(Lock::release);
        assertThat(taken).as("'%s' taken by another manager while its holder was suspended or just restored", name)
                .isEmpty();
    }
}
