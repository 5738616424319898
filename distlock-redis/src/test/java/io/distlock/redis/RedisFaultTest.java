package io.distlock.redis;

import io.distlock.testkit.Eventually;
import io.distlock.testkit.RecordingListener;
import io.distlock.testkit.server.RedisServers;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockLostException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lettuce.core.KillArgs;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract 6.3 and 6.4 with a real server that goes away, freezes and comes back: held locks are
 * suspended, restored when the server confirms them, and lost only when it does not or their lease
 * runs out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisFaultTest {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    /** Generous: the bound is about hanging, not speed, and this machine is shared. */
    private static final Duration MARGIN = Duration.ofSeconds(2);

    private ServerProcess redis;
    private LockManager locks;

    /** What the manager's listener heard: "suspended NAME", "restored NAME", "lost NAME". */
    private final RecordingListener listener = new RecordingListener();
    private final List<String> events = listener.log;

    @BeforeEach
    void start() {
        redis = RedisServers.start();
        locks = manager();
    }

    private LockManager manager() {
        return LockManager.builder(RedisLockBackend.open("redis://127.0.0.1:" + redis.port()
                + "?timeout=1s&connectTimeout=1s")).listener(listener).build();
    }

    /** A waiting acquisition while the connection is down rides it out for its wait, then fails. */
    private static final LockOptions SHORT_WAIT = LockOptions.builder().timeout(Duration.ofSeconds(1)).build();

    @AfterEach
    void stop() {
        if (locks != null) {
            locks.close();
        }
        redis.close();
    }

    private static LockOptions renewing(AtomicReference<Throwable> lostCause, CountDownLatch lost) {
        return LockOptions.builder().lease(Duration.ofSeconds(2)).autoRenew(true).onLost((lock, cause) -> {
            lostCause.set(cause);
            lost.countDown();
        }).build();
    }

    @Test
    void serverStoppedWhileHoldingThenBackOnTheSamePort() throws Exception {
        AtomicReference<Throwable> lostCause = new AtomicReference<>();
        CountDownLatch lost = new CountDownLatch(1);
        Lock lock = locks.acquire("held", renewing(lostCause, lost));
        assertThat(lock.isHeld()).isTrue();

        redis.stop();

        Eventually.until("suspended", Duration.ofSeconds(10), () -> events.contains("suspended held"));
        assertThat(lock.isHeld()).as("suspended: not held from the holder's view").isFalse();
        assertThat(listener.suspensionCauses.get(0)).hasMessageContaining("127.0.0.1:" + redis.port());
        assertThat(lost.await(10, TimeUnit.SECONDS)).as("lost-lock listener called once the lease ran out").isTrue();
        assertThat(lostCause.get()).hasMessageContaining("ran out while it was suspended");
        assertThat(lock.isHeld()).isFalse();
        assertBackendFailsWithinTimeout(() -> locks.acquire("other", SHORT_WAIT));
        assertBackendFailsWithinTimeout(() -> locks.tryAcquire("held"));
        assertBackendFailsWithinTimeout(() -> locks.inspect("held"));
        assertThat(lock.release()).as("release of a lost lock reports it").isFalse();

        redis.start();

        Lock again = acquireOnceReconnected("held");
        assertThat(again.isHeld()).isTrue();
        try (RawRedis raw = new RawRedis(redis.port())) {
            // The reconnect reloaded every script, so a late release can never meet NOSCRIPT.
            String[] shas = java.util.Arrays.stream(RedisScript.values()).map(s -> s.sha).toArray(String[]::new);
            Eventually.until("scripts reloaded after the reconnect", Duration.ofSeconds(5),
                    () -> raw.sync().scriptExists(shas).stream().allMatch(Boolean::booleanValue));
        }
        assertThat(locks.inspect("held")).isPresent();
        assertThat(again.release()).isTrue();
    }

    @Test
    void serverKilledWhileHolding() throws Exception {
        AtomicReference<Throwable> lostCause = new AtomicReference<>();
        CountDownLatch lost = new CountDownLatch(1);
        Lock lock = locks.acquire("held", renewing(lostCause, lost));

        redis.kill();

        assertThat(lost.await(10, TimeUnit.SECONDS)).as("lost-lock listener called").isTrue();
        assertThat(lock.isHeld()).isFalse();
        assertBackendFailsWithinTimeout(() -> locks.acquire("held", SHORT_WAIT));
        redis.start();
        // A server without persistence forgets its locks on restart: the name is free again (README),
        // but its tokens still grow (contract 3.2): the new counter starts at the server's clock.
        Lock again = acquireOnceReconnected("held");
        assertThat(again.token()).as("token after a restart without persistence").isGreaterThan(lock.token());
        again.release();
        assertThat(events.stream().filter(e -> e.equals("lost held"))).as("lost exactly once").hasSize(1);
    }

    @Test
    void aRestartWithoutPersistenceWhileTheConnectionIsBackLosesTheLockOnce() throws Exception {
        AtomicInteger lostCalls = new AtomicInteger();
        Lock lock = locks.acquire("forgotten", LockOptions.builder().lease(Duration.ofSeconds(30))
                .onLost((l, cause) -> lostCalls.incrementAndGet()).build());
        redis.kill();
        redis.start();

        Eventually.until("lost once the backend answers that the lock is gone", Duration.ofSeconds(20),
                () -> events.contains("lost forgotten"));
        assertThat(lostCalls).hasValue(1);
        assertThat(events).containsExactly("suspended forgotten", "lost forgotten");
        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(5))).isInstanceOf(LockLostException.class);
    }

    @Test
    void aKilledConnectionThatComesBackRestoresTheLockWithoutCallingTheLostListener() throws Exception {
        AtomicInteger lostCalls = new AtomicInteger();
        Lock lock = locks.acquire("blip", LockOptions.builder().lease(Duration.ofSeconds(8)).autoRenew(true)
                .onLost((l, cause) -> lostCalls.incrementAndGet()).build());
        LockManager other = manager();
        try (RawRedis raw = new RawRedis(redis.port())) {
            // Every connection but this one: the holder's commands and pub/sub, and the other manager's.
            assertThat(raw.sync().clientKill(KillArgs.Builder.typeNormal())).isPositive();
            Eventually.until("suspended, then restored", Duration.ofSeconds(20),
                    () -> events.containsAll(List.of("suspended blip", "restored blip")));
            // Exclusive throughout: no other manager got the lock, then or now.
            assertThat(acquireOnceReconnected(other, "unrelated")).isNotNull();
            assertThat(other.tryAcquire("blip")).isEmpty();
            assertThat(lock.isHeld()).isTrue();
            assertThat(lostCalls).hasValue(0);
            assertThat(events).doesNotContain("lost blip");
            // Renewals go on after the restore: the lease outlives its 8 s.
            long renewedPast = System.nanoTime() + Duration.ofSeconds(9).toNanos();
            Eventually.until("held past the first lease", Duration.ofSeconds(20),
                    () -> System.nanoTime() - renewedPast > 0 && lock.verify());
            assertThat(lock.release()).isTrue();
        } finally {
            other.close();
        }
    }

    @Test
    void frozenServerFailsCommandsWithinTheTimeoutAndRecovers() throws Exception {
        AtomicReference<Throwable> lostCause = new AtomicReference<>();
        CountDownLatch lost = new CountDownLatch(1);
        Lock lock = locks.acquire("held", LockOptions.builder().lease(Duration.ofMillis(1500)).autoRenew(true)
                .onLost((l, cause) -> {
                    lostCause.set(cause);
                    lost.countDown();
                }).build());
        redis.freeze();
        try {
            assertBackendFailsWithinTimeout(() -> locks.tryAcquire("other"));
            // The renewal at a third of the lease times out too: the lock is suspended, and lost
            // when the lease runs out with the server still frozen.
            assertThat(lost.await(10, TimeUnit.SECONDS)).as("lost-lock listener called").isTrue();
            assertThat(lostCause.get()).hasMessageContaining("ran out while it was suspended");
            assertThat(events).containsExactly("suspended held", "lost held");
            assertThat(lock.isHeld()).isFalse();
        } finally {
            redis.thaw();
        }
        try (Lock other = acquireOnceReconnected("other")) {
            assertThat(other.isHeld()).isTrue();
        }
    }

    private void assertBackendFailsWithinTimeout(Runnable call) {
        long start = System.nanoTime();
        assertThatThrownBy(call::run).isInstanceOf(LockBackendException.class)
                .hasMessageContaining("127.0.0.1:" + redis.port());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(COMMAND_TIMEOUT.plus(MARGIN));
    }

    /** Lettuce reconnects in the background (backing off to at most 1 s); poll until it has. */
    private Lock acquireOnceReconnected(String name) {
        return acquireOnceReconnected(locks, name);
    }

    private static Lock acquireOnceReconnected(LockManager locks, String name) {
        AtomicReference<Lock> acquired = new AtomicReference<>();
        Eventually.until("the same manager acquires '" + name + "' after the server came back", Duration.ofSeconds(15), () -> {
            try {
                Optional<Lock> lock = locks.tryAcquire(name);
                lock.ifPresent(acquired::set);
                return lock.isPresent();
            } catch (LockBackendException stillReconnecting) {
                return false;
            }
        });
        return acquired.get();
    }
}
