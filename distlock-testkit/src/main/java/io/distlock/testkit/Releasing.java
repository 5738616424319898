package io.distlock.testkit;

import io.distlock.Lock;
import io.distlock.LockException;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.distlock.testkit.ContractFixture.PATIENCE;
import static io.distlock.testkit.ContractFixture.lease;
import static io.distlock.testkit.ContractFixture.stop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Chapter 4 of the contract, <em>Releasing</em> (docs/lock-contract.md): release by owner only,
 * lost and double releases, and closing a manager. The warning logged for a lost lock's release
 * is the engine's and is checked once, in the kit's own tests.
 */
sealed interface Releasing permits LockContractSuite {

    private ContractFixture kit() {
        return (ContractFixture) this;
    }

    @Test
    @DisplayName("4.1 release never removes a lock that expired and was taken by someone else")
    default void rule_4_1_releaseChecksOwner() {
        String name = kit().uniqueName("owner");
        LockManager first = kit().newManager();
        LockManager second = kit().newManager();
        Lock expired = first.acquire(name, lease(Duration.ofMillis(300)));
        Lock current = second.acquire(name, LockOptions.builder().waitTime(PATIENCE).build());
        assertThat(expired.release()).as("release of an expired, re-taken lock").isFalse();
        LockInfo holder = second.inspect(name).orElseThrow();
        assertThat(holder.token()).isEqualTo(current.token());
        assertThat(current.isHeld()).isTrue();
        assertThat(current.release()).isTrue();
    }

    @Test
    @DisplayName("4.1 release is one compare-and-delete: a release racing the end of its lease never removes "
            + "the next owner's lock")
    default void rule_4_1_releaseIsOneCompareAndDelete() throws Exception {
        String name = kit().uniqueName("compare-and-delete");
        LockManager first = kit().newManager();
        LockManager second = kit().newManager();
        LockManager observer = kit().newManager();
        Lock ending = first.acquire(name, lease(Duration.ofMillis(600)));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Lock> waiter = pool.submit(() -> second.acquire(name, LockOptions.builder().waitTime(PATIENCE)
                    .retryInterval(Duration.ofMillis(10)).build()));
            // Released while the lease ends and the waiter polls: a backend that checks the owner and
            // then deletes by name alone can delete the waiter's fresh lock in between.
            Future<Boolean> releasing = pool.submit(ending::release);
            Lock next = waiter.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            releasing.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(observer.inspect(name).map(LockInfo::token))
                    .as("holder of '%s' once the first owner's release, racing its lease's end, returned", name)
                    .contains(next.token());
            assertThat(next.verify()).isTrue();
            assertThat(next.release()).isTrue();
        } finally {
            stop(pool);
        }
    }

    @Test
    @DisplayName("4.1 a release handed over to a waiter of the same manager never takes a lock another owner holds")
    default void rule_4_1_handOverChecksOwner() throws Exception {
        String name = kit().uniqueName("hand-over-owner");
        CountingBackend backend = kit().newCountingBackend();
        LockManager locks = kit().manage(backend, b -> { });
        LockManager other = kit().newManager();
        LockManager observer = kit().newManager();
        Lock stale = locks.acquire(name, lease(Duration.ofSeconds(30)));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // Two threads of the same manager wait, so the release hands the lock over to one of
            // them where the backend supports that (two: should the backend's notification of the
            // forced release let one of them take the lock, the other still waits); a 30 s retry
            // interval keeps them from polling.
            LockOptions local = LockOptions.builder().waitTime(Duration.ofSeconds(60))
                    .retryInterval(Duration.ofSeconds(30)).build();
            pool.submit(() -> locks.acquire(name, local));
            pool.submit(() -> locks.acquire(name, local));
            Eventually.until("both local waiters wait", PATIENCE, () -> otherWaiters(locks, name) == 2);
            // An administrator takes the lock away while its holder believes it still holds it.
            assertThat(observer.forceRelease(name)).isTrue();
            pool.submit(() -> other.acquire(name, LockOptions.builder().waitTime(PATIENCE)
                    .retryInterval(Duration.ofMillis(10)).build()));
            // Its token, not only its record: memcached's inspect shows the name's last token, which is
            // the previous holder's until the new holder's token has been drawn.
            Eventually.until("another owner holds the lock", PATIENCE,
                    () -> observer.inspect(name).filter(info -> info.token() != stale.token()).isPresent());
            LockInfo current = observer.inspect(name).orElseThrow();
            assertThat(stale.release()).as("release of a lock another owner holds now").isFalse();
            assertThat(observer.inspect(name).map(info -> info.ownerId() + " token " + info.token()))
                    .as("holder of '%s' after the stale owner's release, with a local waiter to hand over to", name)
                    .contains(current.ownerId() + " token " + current.token());
        } finally {
            stop(pool);
        }
    }

    /** Threads of {@code locks} waiting for {@code name}, as a try that fails at once reports them. */
    private static int otherWaiters(LockManager locks, String name) {
        try {
            locks.acquire(name, LockOptions.tryOnce()).release();
            return -1;
        } catch (LockTimeoutException busy) {
            java.util.regex.Matcher waiting = java.util.regex.Pattern.compile("; (\\d+) other thread\\(s\\) of this JVM")
                    .matcher(busy.getMessage());
            return waiting.find() ? Integer.parseInt(waiting.group(1)) : 0;
        }
    }

    @Test
    @DisplayName("4.2 releasing a lost lock reports it; releasing twice is harmless; close() never throws")
    default void rule_4_2_lostAndDoubleRelease() {
        String name = kit().uniqueName("twice");
        LockManager locks = kit().newManager();
        Lock lock = locks.acquire(name);
        assertThat(lock.release()).isTrue();
        assertThat(lock.release()).isFalse();
        lock.close();

        Lock lost = locks.acquire(name);
        kit().newManager().forceRelease(name);
        Lock other = kit().newManager().acquire(name);
        assertThat(lost.release()).isFalse();
        lost.close();
        assertThat(locks.inspect(name).orElseThrow().token()).isEqualTo(other.token());
        other.release();
    }

    @Test
    @DisplayName("4.2 release works from an interrupted thread and keeps its interrupt status")
    default void rule_4_2_releaseWhenInterrupted() {
        String name = kit().uniqueName("interrupted-release");
        LockManager locks = kit().newManager();
        Lock lock = locks.acquire(name);
        Thread.currentThread().interrupt();
        try {
            assertThat(lock.release()).isTrue();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(locks.inspect(name)).isEmpty();
    }

    @Test
    @DisplayName("4.3 closing a manager releases its locks and stops its waiters and renewals")
    default void rule_4_3_closeManager() throws Exception {
        String held = kit().uniqueName("close-held");
        String busy = kit().uniqueName("close-busy");
        LockManager observer = kit().newManager();
        CountingBackend backend = kit().newCountingBackend();
        LockManager closing = kit().manage(backend, b -> { });
        // Renewed every 200 ms: a renewal that outlived close() would show within one lease.
        Lock renewed = closing.acquire(held, LockOptions.builder().lease(Duration.ofMillis(600)).autoRenew(true).build());
        Eventually.until("the lock is renewed", PATIENCE, () -> backend.extensions.get() >= 1);
        Lock blocker = observer.acquire(busy);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        int renewalsAtClose;
        try {
            CountDownLatch waiting = new CountDownLatch(1);
            Future<?> waiter = pool.submit(() -> {
                waiting.countDown();
                return closing.acquire(busy, LockOptions.builder().waitForever().build());
            });
            waiting.await();
            closing.close();
            renewalsAtClose = backend.extensions.get();
            assertThatThrownBy(() -> waiter.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(LockException.class);
        } finally {
            stop(pool);
        }
        assertThat(observer.inspect(held)).as("released by close()").isEmpty();
        assertThat(renewed.isHeld()).isFalse();
        assertThatThrownBy(() -> closing.acquire(held)).isInstanceOf(LockException.class).hasMessageContaining("closed");

        // Two lease lengths on the observer's clock: time for six renewals had they not stopped.
        // One renewal already under way when close() began may still land.
        Lock probe = observer.acquire(kit().uniqueName("close-clock"), lease(Duration.ofMillis(600)));
        Eventually.until("a lease passes", PATIENCE, () -> !probe.isHeld());
        int afterOneLease = backend.extensions.get();
        assertThat(afterOneLease).as("renewals after close()").isLessThanOrEqualTo(renewalsAtClose + 1);
        Lock secondProbe = observer.acquire(kit().uniqueName("close-clock"), lease(Duration.ofMillis(600)));
        Eventually.until("another lease passes", PATIENCE, () -> !secondProbe.isHeld());
        assertThat(backend.extensions.get()).as("renewals a lease later").isEqualTo(afterOneLease);
        assertThat(observer.inspect(held)).as("not re-taken by a late renewal").isEmpty();
        blocker.release();
    }
}
