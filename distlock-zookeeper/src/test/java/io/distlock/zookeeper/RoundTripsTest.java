package io.distlock.zookeeper;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.ZooKeeperServers;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests per uncontended acquire and release, counted by the server ({@code mntr}'s
 * zk_packets_received) on a private server with one client: this backend's two (one multi each)
 * against Curator's InterProcessMutex. A count, not a timing: it does not depend on the machine.
 */
class RoundTripsTest {
    private static final int CYCLES = 200;
    private static ServerProcess zookeeper;

    @BeforeAll
    static void startZooKeeper() {
        zookeeper = ZooKeeperServers.start();
    }

    @AfterAll
    static void stopZooKeeper() {
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    private static long packetsReceived() {
        String mntr = ZooKeeperServers.fourLetterWord(zookeeper.host(), zookeeper.port(), "mntr");
        for (String line : mntr.split("\n")) {
            if (line.startsWith("zk_packets_received")) {
                return Long.parseLong(line.split("\\s+")[1]);
            }
        }
        throw new IllegalStateException("no zk_packets_received in mntr: " + mntr);
    }

    @Test
    void anUncontendedAcquireAndReleaseIsTwoRequests_curatorsMutexTakesMore() throws Exception {
        double ours;
        try (LockManager locks = LockManager.builder(ZooKeeperLockBackend.open(
                "zookeeper://" + zookeeper.host() + ":" + zookeeper.port() + "/trips")).build()) {
            locks.acquire("warm-up").release();
            long before = packetsReceived();
            for (int i = 0; i < CYCLES; i++) {
                Lock lock = locks.acquire("cycle");
                lock.release();
            }
            // Each mntr is itself a connection, not a request of a session: it is not counted as one.
            ours = (packetsReceived() - before) / (double) CYCLES;
        }
        double curators;
        try (CuratorFramework client = CuratorFrameworkFactory.newClient(zookeeper.host() + ":" + zookeeper.port(),
                new RetryOneTime(100))) {
            client.start();
            client.blockUntilConnected(20, TimeUnit.SECONDS);
            InterProcessMutex mutex = new InterProcessMutex(client, "/curator/cycle");
            mutex.acquire();
            mutex.release();
            long before = packetsReceived();
            for (int i = 0; i < CYCLES; i++) {
                mutex.acquire();
                mutex.release();
            }
            curators = (packetsReceived() - before) / (double) CYCLES;
        }
        System.err.printf("requests per uncontended acquire+release: distlock %.2f, Curator InterProcessMutex %.2f%n",
                ours, curators);
        // A session ping may fall into the loop: a few hundredths over the exact count.
        assertThat(ours).isBetween(2.0, 2.1);
        assertThat(curators).isGreaterThanOrEqualTo(3.0);
    }
}
