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

import java.sql.Connection;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract 6.3 and 6.4 with a real database that goes away and comes back: what both strategies
 * share. {@link JdbcTableFaultSuite} and {@link JdbcSessionFaultSuite} add what differs; one
 * concrete class per database and strategy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class JdbcFaultSuite {
    static final Duration TIMEOUT = Duration.ofSeconds(1);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Generous: the bound is about hanging, not speed, and this machine is shared. */
    static final Duration MARGIN = Duration.ofSeconds(3);

    /** A database the fault tests start, stop and break. */
    interface Database {
        ServerProcess start();

        /** A distlock URI of {@code server}, ending where a parameter may follow ({@code ?} or {@code &}). */
        String uri(ServerProcess server);

        /** Stops the database as an operator would, ending its sessions. */
        void stop(ServerProcess server);

        /** Ends every client session from the server side (pg_terminate_backend, KILL); returns how many. */
        int killClientSessions(ServerProcess server) throws Exception;

        /** Ends, from the server side, the session holding the session lock {@code key}; false if none held it. */
        boolean killSessionHolding(ServerProcess server, SessionKeys.Key key) throws Exception;

        /** A connection of the test's own, as distlock's user. */
        Connection connect(ServerProcess server) throws Exception;

        /** Takes the session lock {@code key} on {@code connection}, as a session-strategy acquirer's first step does. */
        boolean takeSessionLock(Connection connection, SessionKeys.Key key) throws Exception;

        /** Whether killing the sessions reaches a connection distlock keeps open (PostgreSQL's LISTEN). */
        boolean keepsAConnectionOpen();
    }

    final Database database;
    final JdbcLockBackend.Strategy strategy;
    ServerProcess server;
    LockManager locks;

    JdbcFaultSuite(Database database, JdbcLockBackend.Strategy strategy) {
        this.database = database;
        this.strategy = strategy;
    }

    /** The URI of the database under test with this suite's strategy, short timeouts and a fast heartbeat. */
    String uri() {
        return database.uri(server) + "distlock.strategy=" + strategy.name().toLowerCase(java.util.Locale.ROOT)
                + "&distlock.timeout=1s&distlock.connectTimeout=2s&distlock.heartbeat=200ms";
    }

    void stopServer() {
        database.stop(server);
    }

    @BeforeEach
    void start() {
        server = database.start();
        locks = LockManager.builder(JdbcLockBackend.open(uri())).build();
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

    Lock acquireOnceReconnected(String name) {
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
