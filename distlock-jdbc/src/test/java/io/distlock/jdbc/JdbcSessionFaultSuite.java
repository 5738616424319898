package io.distlock.jdbc;

import io.distlock.Lock;
import io.distlock.LockInfo;
import io.distlock.LockListener;
import io.distlock.LockLostException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.Namespaces;
import io.distlock.testkit.ChildJvm;
import io.distlock.testkit.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults of the session strategy: a lock is its database session, so a session that ends (killed
 * from the server side, or with the server) is a lost lock, free at once for others; and a holder
 * that keeps its session past its lease (frozen) has it ended by the next acquirer.
 */
abstract class JdbcSessionFaultSuite extends JdbcFaultSuite {
    private static final Duration LEASE = Duration.ofSeconds(30);

    private final AtomicInteger suspensions = new AtomicInteger();
    private final AtomicInteger losses = new AtomicInteger();
    private final CountDownLatch lost = new CountDownLatch(1);

    JdbcSessionFaultSuite(Database database) {
        super(database, JdbcLockBackend.Strategy.SESSION);
    }

    /** {@link #locks} again, counting suspensions; {@link #held} counts the lost-lock listener's calls. */
    private void countingEvents() {
        locks.close();
        locks = LockManager.builder(JdbcLockBackend.open(uri())).listener(new LockListener() {
            @Override
            public void suspended(String name, long token, Throwable cause) {
                suspensions.incrementAndGet();
            }
        }).build();
    }

    private Lock held(String name) {
        return locks.acquire(name, LockOptions.builder().lease(LEASE).autoRenew(true).onLost((lock, cause) -> {
            losses.incrementAndGet();
            lost.countDown();
        }).build());
    }

    private static SessionKeys.Key key(String name) {
        return SessionKeys.of(Namespaces.DEFAULT, name);
    }

    @Test
    void aSessionKilledFromTheServerSideIsALostLock_freeAtOnceForOthers() throws Exception {
        countingEvents();
        Lock lock = held("killed");
        assertThat(database.killSessionHolding(server, key("killed"))).as("a session held the lock").isTrue();
        long killedAt = System.nanoTime();

        try (LockManager other = LockManager.builder(JdbcLockBackend.open(uri())).build()) {
            // Its lease has 30 s to run: a lock that had to wait for it would time out here.
            Lock taken = other.acquire("killed", LockOptions.builder().timeout(Duration.ofSeconds(10)).build());
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(10));
            assertThat(taken.token()).isGreaterThan(lock.token());
            assertThat(other.inspect("killed")).map(LockInfo::token).contains(taken.token());

            assertThat(lost.await(10, TimeUnit.SECONDS)).as("the holder's lost-lock listener is called").isTrue();
            assertThat(lock.isHeld()).isFalse();
            assertThatThrownBy(() -> lock.extend(LEASE)).isInstanceOf(LockLostException.class);
            assertThat(lock.verify()).isFalse();
            assertThat(lock.release()).as("release of a lost lock reports it").isFalse();
            assertThat(losses.get()).as("lost-lock listener calls").isEqualTo(1);
            assertThat(suspensions.get()).as("lost, never suspended: the database was there all along").isZero();
            assertThat(taken.release()).isTrue();
        }
    }

    /**
     * The known break, measured: a session ended from the server side frees its lock at once, and
     * the holder's {@code isHeld()} says true until its backend's next check of the session (each
     * heartbeat, 200 ms here). Bounded by a heartbeat plus the check's round trip, printed for the
     * docs ("Not yet kept": jdbc-session-cut-connection).
     */
    @Test
    void aHolderWhoseSessionEndedBelievesItHoldsUntilItsNextSessionCheck() throws Exception {
        Duration heartbeat = Duration.ofMillis(200);
        List<Long> gaps = new java.util.ArrayList<>();
        int believed = 0;
        try (LockManager other = LockManager.builder(JdbcLockBackend.open(uri())).build()) {
            for (int i = 0; i < 5; i++) {
                String name = "believer-" + i;
                Lock lock = locks.acquire(name, LockOptions.builder().lease(LEASE).autoRenew(false).build());
                assertThat(database.killSessionHolding(server, key(name))).as("a session held the lock").isTrue();
                Lock taken = other.acquire(name, LockOptions.builder().timeout(Duration.ofSeconds(10)).build());
                long takenAt = System.nanoTime();
                if (lock.isHeld()) {
                    believed++;
                }
                long deadline = takenAt + heartbeat.plus(TIMEOUT).plus(MARGIN).toNanos();
                while (lock.isHeld() && System.nanoTime() - deadline < 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
                gaps.add(Duration.ofNanos(System.nanoTime() - takenAt).toMillis());
                assertThat(lock.isHeld()).as("the holder still believes %s after another took its lock",
                        heartbeat.plus(TIMEOUT).plus(MARGIN)).isFalse();
                assertThat(taken.release()).isTrue();
                lock.release();
            }
        }
        System.out.println(getClass().getSimpleName() + ": the holder believed it held when another took the lock in "
                + believed + " of 5 kills, for " + gaps + " ms after it was taken (heartbeat " + heartbeat.toMillis() + " ms)");
    }

    @Test
    void aBriefOutageLosesTheLock_itsSessionEndedWithTheServer() throws Exception {
        countingEvents();
        Lock lock = held("blip");
        long stoppedAt = System.nanoTime();
        stopServer();
        Eventually.until("suspended", Duration.ofSeconds(5), () -> !lock.isHeld());
        assertThat(losses.get()).as("suspended while the database is away, not lost yet").isZero();
        server.start();

        assertThat(lost.await(20, TimeUnit.SECONDS)).as("lost once the database is back").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).as("long before its lease ran out").isLessThan(LEASE);
        assertThat(suspensions.get()).isPositive();
        assertThatThrownBy(() -> lock.extend(LEASE)).isInstanceOf(LockLostException.class);
        Lock again = acquireOnceReconnected("blip");
        assertThat(again.token()).isGreaterThan(lock.token());
        assertThat(again.release()).isTrue();
        assertThat(losses.get()).as("lost-lock listener calls").isEqualTo(1);
    }

    @Test
    void aFrozenHolderIsEndedOnceItsLeaseIsOver(@TempDir Path dir) throws Exception {
        Duration lease = Duration.ofSeconds(3);
        try (ChildJvm holder = ChildJvm.start(FrozenHolder.class, dir.resolve("holder.err"), uri(), "frozen",
                Long.toString(lease.toMillis()))) {
            long token = Long.parseLong(holder.await("HELD ", Duration.ofSeconds(60)));
            signal("-STOP", holder.pid());
            try {
                // Frozen with its session open: its own backend can no longer let the lock go at the lease's end.
                LockInfo frozen = locks.inspect("frozen").orElseThrow(() -> new AssertionError(
                        "the holder let its lock go before it was frozen (a machine too slow for a 3 s lease)"));
                assertThat(frozen.token()).isEqualTo(token);
                Lock taken = locks.acquire("frozen", LockOptions.builder().timeout(Duration.ofSeconds(20)).build());
                assertThat(Instant.now()).as("taken only once the frozen holder's lease was over")
                        .isAfterOrEqualTo(frozen.expiresAt());
                assertThat(taken.token()).isGreaterThan(token);
                assertThat(locks.inspect("frozen")).map(LockInfo::token).contains(taken.token());
                assertThat(taken.release()).isTrue();
            } finally {
                signal("-CONT", holder.pid());
            }
        }
    }

    @Test
    void aNewHolderBetweenItsAdvisoryLockAndItsRowIsNeverEnded() throws Exception {
        // A lock released long ago: its row is a session row whose lease ended well past the grace.
        Lock old = locks.acquire("quiet");
        assertThat(old.release()).isTrue();
        Instant released = Instant.now();
        Eventually.until("the released lease is older than the takeover grace", Duration.ofSeconds(10),
                () -> Instant.now().isAfter(released.plusSeconds(2)));
        try (Connection newHolder = database.connect(server)) {
            // A new holder has the advisory lock and has not written its row yet: to another acquirer the
            // row looks overdue, but this session is not a frozen holder (it worked after the lease ended).
            assertThat(database.takeSessionLock(newHolder, key("quiet"))).isTrue();
            assertThat(locks.tryAcquire("quiet")).as("busy").isEmpty();
            assertThat(newHolder.isValid(5)).as("the new holder's session was left alone").isTrue();
            assertThat(database.takeSessionLock(newHolder, key("quiet"))).as("and still holds the lock").isTrue();
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder(List.of("kill", signal, Long.toString(pid))).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill %s %s", signal, pid).isTrue();
    }
}
