package io.distlock.jdbc;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockListener;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.Eventually;
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

/** Contract 6.3 and 6.4 with a real database that goes away and comes back; one subclass per database. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class JdbcFaultSuite {
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Generous: the bound is about hanging, not speed, and this machine is shared. */
    static final Duration MARGIN = Duration.ofSeconds(3);

    ServerProcess server;
    LockManager locks;

    abstract ServerProcess startServer();

    abstract String uri();

    /** Stops the database as an operator would, ending its sessions. */
    abstract void stopServer();

    /** Ends every client session from the server side (pg_terminate_backend, KILL); returns how many. */
    abstract int killClientSessions() throws Exception;

    /** Whether killing the sessions reaches a connection distlock keeps open (PostgreSQL's LISTEN). */
    abstract boolean keepsAConnectionOpen();

    @BeforeEach
    void start() {
        server = startServer();
        locks = LockManager.builder(JdbcLockBackend.open(uri() + "distlock.timeout=1s&distlock.connectTimeout=2s&distlock.heartbeat=200ms")).build();
    }

    @AfterEach
    void stop() {
        if (locks != null) {
            locks.close();
        }
        if (server != null) {
            stopServer();
            server.close();
        }
    }

    @Test
    void databaseStoppedWhileHeld_suspendsThenLosesThenWorksAgain() throws Exception {
        AtomicReference<Throwable> lostCause = new AtomicReference<>();
        CountDownLatch lost = new CountDownLatch(1);
        Duration lease = Duration.ofSeconds(8);
        Lock lock = locks.acquire("held", LockOptions.builder().lease(lease).autoRenew(true).onLost((l, cause) -> {
            lostCause.set(cause);
            lost.countDown();
        }).build());
        assertThat(lock.isHeld()).isTrue();

        long stoppedAt = System.nanoTime();
        stopServer();

        Eventually.until("the holder sees its lock suspended", Duration.ofSeconds(5), () -> !lock.isHeld());
        assertThat(lost.getCount()).as("suspended first, not lost before its lease ends").isEqualTo(1);
        // An acquisition that fails is undone by owner id (the engine's clean-up release): two calls.
        assertBackendFailsWithin(CONNECT_TIMEOUT.multipliedBy(2), () -> locks.acquire("other", LockOptions.builder()
                .timeout(Duration.ZERO).build()));
        assertBackendFailsWithin(CONNECT_TIMEOUT, () -> locks.inspect("held"));

        assertThat(lost.await(lease.plus(MARGIN).plusSeconds(5).toSeconds(), TimeUnit.SECONDS))
                .as("lost-lock listener called once the lease ran out").isTrue();
        // The lease counts from the last renewal (every lease/3, before the stop) minus the drift
        // allowance, so "past its lease" is at least two thirds of it after the stop, less the drift.
        assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).as("lost only once its lease ran out")
                .isGreaterThanOrEqualTo(lease.dividedBy(2));
        assertThat(lostCause.get()).isNotNull();
        assertThat(lock.release()).as("release of a lost lock reports it").isFalse();

        server.start();
        Lock again = acquireOnceReconnected("held");
        assertThat(again.token()).isGreaterThan(lock.token());
        again.release();
    }

    @Test
    void tokensKeepIncreasingAcrossADatabaseRestart() {
        long before;
        try (Lock first = locks.acquire("tokens")) {
            before = first.token();
        }
        stopServer();
        server.start();
        Lock after = acquireOnceReconnected("tokens");
        assertThat(after.token()).isGreaterThan(before);
        after.release();
        Lock other = acquireOnceReconnected("tokens-other-name");
        assertThat(other.token()).as("one sequence for every name").isGreaterThan(after.token());
        other.release();
    }

    @Test
    void aBriefOutageRestoresTheLockIfItsLeaseOutlivedIt() {
        Lock lock = locks.acquire("blip", LockOptions.builder().lease(Duration.ofSeconds(30)).autoRenew(true).build());
        stopServer();
        Eventually.until("suspended", Duration.ofSeconds(5), () -> !lock.isHeld());
        server.start();
        Eventually.until("restored after the database came back", Duration.ofSeconds(20), lock::isHeld);
        assertThat(lock.verify()).isTrue();
        assertThat(lock.release()).isTrue();
    }

    @Test
    void sessionsKilledFromTheServerSide_theLockIsKept() throws Exception {
        CountDownLatch suspended = new CountDownLatch(1);
        CountDownLatch restored = new CountDownLatch(1);
        locks.close();
        locks = LockManager.builder(JdbcLockBackend.open(uri() + "distlock.timeout=1s&distlock.connectTimeout=2s&distlock.heartbeat=200ms"))
                .listener(new LockListener() {
                    @Override
                    public void suspended(String name, long token, Throwable cause) {
                        suspended.countDown();
                    }

                    @Override
                    public void restored(String name, long token) {
                        restored.countDown();
                    }
                }).build();
        Lock lock = locks.acquire("killed", LockOptions.builder().lease(Duration.ofSeconds(30)).autoRenew(true).build());
        assertThat(killClientSessions()).isPositive();
        if (keepsAConnectionOpen()) {
            assertThat(suspended.await(10, TimeUnit.SECONDS)).as("suspended when its connection was killed").isTrue();
            assertThat(restored.await(20, TimeUnit.SECONDS)).as("restored once reconnected").isTrue();
        }
        Eventually.until("held", Duration.ofSeconds(20), lock::isHeld);
        assertThat(lock.verify()).as("a lease-table lock is a row, not a session: it survives").isTrue();
        assertThat(lock.release()).isTrue();
    }

    private Lock acquireOnceReconnected(String name) {
        AtomicReference<Lock> got = new AtomicReference<>();
        Eventually.until("the database answers again", Duration.ofSeconds(30), () -> {
            try {
                Optional<Lock> lock = locks.tryAcquire(name);
                lock.ifPresent(got::set);
                return lock.isPresent();
            } catch (LockBackendException notYet) {
                return false;
            }
        });
        return got.get();
    }

    /** Fails with LockBackendException within {@code bound} (plus a margin for a shared machine). */
    static void assertBackendFailsWithin(Duration bound, Runnable call) {
        long start = System.nanoTime();
        assertThatThrownBy(call::run).isInstanceOf(LockBackendException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(bound.plus(MARGIN));
    }
}
