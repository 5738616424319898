package io.distlock.memcached;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.Eventually;
import io.distlock.testkit.RecordingListener;
import io.distlock.testkit.server.MemcachedServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two servers, one killed while both hold locks: the live one's names keep working, the dead one's
 * fail with {@link LockBackendException} within the timeout and are never moved to the live one;
 * the killed server comes back empty.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemcachedFaultTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private ServerProcess live;
    private ServerProcess doomed;
    private final List<LockManager> managers = new ArrayList<>();
    private final List<MemcachedLockBackend> backends = new ArrayList<>();

    @BeforeEach
    void startServers() {
        live = MemcachedServers.start();
        doomed = MemcachedServers.start();
    }

    @AfterEach
    void stopServers() {
        managers.forEach(LockManager::close);
        if (live != null) {
            live.close();
        }
        if (doomed != null) {
            doomed.close();
        }
    }

    private MemcachedLockBackend backend() {
        MemcachedLockBackend backend = MemcachedLockBackend.builder(
                MemcachedServers.uri("namespace=fault", live, doomed)).timeout(TIMEOUT).connectTimeout(TIMEOUT).build();
        backends.add(backend);
        return backend;
    }

    private LockManager manager(MemcachedLockBackend backend) {
        LockManager manager = LockManager.builder(backend).build();
        managers.add(manager);
        return manager;
    }

    /** A name that the ring places on {@code server}. */
    private static String nameOn(MemcachedLockBackend backend, ServerProcess server, String label) {
        String wanted = server.host() + ":" + server.port();
        for (int i = 0; ; i++) {
            String name = label + "-" + i;
            if (backend.serverOf(name).equals(wanted)) {
                return name;
            }
        }
    }

    @Test
    void aKilledServerFailsItsOwnNamesOnlyAndComesBackEmpty() throws Exception {
        MemcachedLockBackend holderBackend = backend();
        RecordingListener events = new RecordingListener();
        LockManager holder = LockManager.builder(holderBackend).listener(events).build();
        managers.add(holder);
        LockManager other = manager(backend());
        String onLive = nameOn(holderBackend, live, "live");
        String onDoomed = nameOn(holderBackend, doomed, "doomed");

        CountDownLatch doomedLost = new CountDownLatch(1);
        AtomicReference<Throwable> lostCause = new AtomicReference<>();
        LockOptions longLease = LockOptions.builder().lease(Duration.ofSeconds(60)).build();
        Lock liveLock = holder.acquire(onLive, longLease);
        Lock doomedLock = holder.acquire(onDoomed, longLease.toBuilder().onLost((lock, cause) -> {
            lostCause.set(cause);
            doomedLost.countDown();
        }).build());
        long tokenBeforeKill = doomedLock.token();

        doomed.kill();

        // The dropped connection suspends the holder's locks and has them checked at once: the live
        // server confirms its lock, which is held again; the dead server's lock stays suspended.
        Eventually.until("the live server's lock suspended and restored once", PATIENCE,
                () -> events.count("restored " + onLive) == 1);
        assertThat(events.count("suspended " + onLive)).isEqualTo(1);
        assertThat(liveLock.isHeld()).isTrue();
        assertThat(doomedLock.isHeld()).as("suspended: the dead server cannot confirm it").isFalse();
        assertThat(events.log).contains("suspended " + onDoomed).doesNotContain("lost " + onDoomed);

        // The live server's names keep working, held and new ones alike.
        assertThat(liveLock.verify()).isTrue();
        assertThat(other.tryAcquire(onLive)).as("still exclusive on the live server").isEmpty();
        liveLock.extend(Duration.ofSeconds(30));
        assertThat(other.inspect(onLive)).map(LockInfo::ownerId).isPresent();
        String newOnLive = nameOn(holderBackend, live, "live-new");
        try (Lock fresh = other.acquire(newOnLive, LockOptions.tryOnce())) {
            assertThat(fresh.isHeld()).isTrue();
        }

        // The dead server's names fail within the timeout, for the holder and for everyone else,
        // and are never re-hashed to the live server (which would let them be acquired there).
        for (LockManager manager : List.of(holder, other)) {
            for (String name : List.of(onDoomed, nameOn(holderBackend, doomed, "doomed-new"))) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> manager.acquire(name, LockOptions.tryOnce()))
                        .isInstanceOf(LockBackendException.class).hasMessageContaining(doomed.host() + ":" + doomed.port());
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusSeconds(2));
                assertThatThrownBy(() -> manager.inspect(name)).isInstanceOf(LockBackendException.class);
            }
        }
        // A waiting acquisition is not turned into a false "acquired" either.
        assertThatThrownBy(() -> other.acquire(onDoomed, LockOptions.builder().timeout(Duration.ofSeconds(2)).build()))
                .isInstanceOf(LockBackendException.class);
        // The server stays down a while; the live lock is not suspended again by the reconnect attempts.
        assertThat(liveLock.isHeld()).isTrue();
        assertThat(events.count("suspended " + onLive)).isEqualTo(1);
        assertThat(liveLock.release()).isTrue();

        // The server comes back empty: the lock it held is gone. The holder's suspended lock is
        // checked, found free and marked lost (the listener is called); from then on anyone may
        // take the name, though the first holder's 60 s lease would still run. The new holder's
        // token is still greater, because the counter restarts at the server's clock in seconds
        // times a million: guaranteed once that clock, which ticks in whole seconds, has moved on
        // by two seconds since the old counter was created (README: tokens and restarts).
        long createdAt = tokenBeforeKill / 1_000_000L;
        Eventually.until("two seconds of the server clock since the counter was created", PATIENCE,
                () -> MemcachedServers.time(live) >= createdAt + 2);
        doomed.start();
        assertThat(doomedLost.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("lost-lock listener called").isTrue();
        assertThat(lostCause.get()).hasMessageContaining(onDoomed);
        assertThat(events.count("lost " + onDoomed)).isEqualTo(1);
        assertThat(events.log).doesNotContain("restored " + onDoomed);
        assertThat(doomedLock.release()).as("releasing the lost lock reports it").isFalse();
        try (Lock after = other.acquire(onDoomed, LockOptions.tryOnce())) {
            assertThat(after.token()).as("token after the restart").isGreaterThan(tokenBeforeKill);
            assertThat(holder.inspect(onDoomed)).map(LockInfo::token).contains(after.token());
        }
    }

    @Test
    void aFrozenServerFailsWithinTheTimeoutNotAHang() {
        MemcachedLockBackend backend = backend();
        LockManager locks = manager(backend);
        String onDoomed = nameOn(backend, doomed, "frozen");
        String onLive = nameOn(backend, live, "thawed");
        locks.acquire(onDoomed, LockOptions.tryOnce()).release();
        doomed.freeze();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> locks.acquire(onDoomed, LockOptions.tryOnce()))
                    .isInstanceOf(LockBackendException.class).hasMessageContaining("within");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            // Two calls, each bounded by the timeout: the add, and the engine's release by owner id
            // that undoes an add whose answer was lost (it may yet run: see below).
            assertThat(took).isGreaterThanOrEqualTo(TIMEOUT.minusMillis(50)).isLessThan(TIMEOUT.multipliedBy(2).plusSeconds(3));
            try (Lock lock = locks.acquire(onLive, LockOptions.tryOnce())) {
                assertThat(lock.isHeld()).isTrue();
            }
        } finally {
            doomed.thaw();
        }
        // The add that timed out was still queued in the server's socket and ran when it thawed: the
        // name is held by an acquisition nobody has (it was reported as failed) until its lease ends.
        // Other names on that server work again at once.
        Eventually.until("the thawed server answers again", PATIENCE, () -> {
            try {
                return locks.inspect(onDoomed).isPresent();
            } catch (LockBackendException notYet) {
                return false;
            }
        });
        assertThat(locks.tryAcquire(onDoomed)).as("held by the timed-out attempt until its lease ends").isEmpty();
        try (Lock lock = locks.acquire(nameOn(backend, doomed, "after-thaw"), LockOptions.tryOnce())) {
            assertThat(lock.isHeld()).isTrue();
        }
    }
}
