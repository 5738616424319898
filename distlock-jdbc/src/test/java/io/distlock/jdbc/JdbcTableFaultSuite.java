package io.distlock.jdbc;

import io.distlock.Lock;
import io.distlock.LockListener;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.Eventually;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Faults of the lease-table strategy: a lock is a row, so it outlives connections and brief outages. */
abstract class JdbcTableFaultSuite extends JdbcFaultSuite {
    JdbcTableFaultSuite(Database database) {
        super(database, JdbcLockBackend.Strategy.TABLE);
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
        locks = LockManager.builder(JdbcLockBackend.open(uri()))
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
        assertThat(database.killClientSessions(server)).isPositive();
        if (database.keepsAConnectionOpen()) {
            // The backend opens its LISTEN connection on a thread of its own: on a loaded machine the
            // first kill can come before it is open and miss it. Each further kill ends it if it is open.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!suspended.await(1, TimeUnit.SECONDS)) {
                assertThat(System.nanoTime() - deadline).as("suspended within 30 s of killing its connections").isNegative();
                database.killClientSessions(server);
            }
            assertThat(restored.await(20, TimeUnit.SECONDS)).as("restored once reconnected").isTrue();
        }
        Eventually.until("held", Duration.ofSeconds(20), lock::isHeld);
        assertThat(lock.verify()).as("a lease-table lock is a row, not a session: it survives").isTrue();
        assertThat(lock.release()).isTrue();
    }
}
