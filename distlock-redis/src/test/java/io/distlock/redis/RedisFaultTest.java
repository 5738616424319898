package io.distlock.redis;

import io.distlock.testkit.Eventually;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Contract 6.3 and 6.4 with a real server that goes away, freezes and comes back. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisFaultTest {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    /** Generous: the bound is about hanging, not speed, and this machine is shared. */
    private static final Duration MARGIN = Duration.ofSeconds(2);

    private ServerProcess redis;
    private LockManager locks;

    @BeforeEach
    void start() {
        redis = RedisServers.start();
        locks = LockManager.builder(RedisLockBackend.open("redis://127.0.0.1:" + redis.port()
                + "?timeout=1s&connectTimeout=1s")).build();
    }

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

        assertThat(lost.await(10, TimeUnit.SECONDS)).as("lost-lock listener called").isTrue();
        assertThat(lostCause.get()).hasMessageContaining("127.0.0.1:" + redis.port());
        assertThat(lock.isHeld()).isFalse();
        assertBackendFailsWithinTimeout(() -> locks.acquire("other"));
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
        assertBackendFailsWithinTimeout(() -> locks.acquire("held"));
        redis.start();
        // A server without persistence forgets its locks on restart: the name is free again (README).
        acquireOnceReconnected("held").release();
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
        redis.pause();
        try {
            assertBackendFailsWithinTimeout(() -> locks.acquire("other"));
            // The renewal at a third of the lease times out too: the holder learns its lock may be lost.
            assertThat(lost.await(10, TimeUnit.SECONDS)).as("lost-lock listener called").isTrue();
            assertThat(lostCause.get()).hasMessageContaining("did not answer");
            assertThat(lock.isHeld()).isFalse();
        } finally {
            redis.resume();
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
