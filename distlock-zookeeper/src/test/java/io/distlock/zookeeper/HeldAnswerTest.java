package io.distlock.zookeeper;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.ZooKeeperServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server that holds an answer back until its client sends something more (ZOOKEEPER-4537, in the
 * 3.8.0 server Debian 12 packages; it made this module's ensemble tests wait 10 s for an
 * answer about one run in four): the backend wakes it with a read and gets the answer well within
 * its timeout. Without that read the client sends nothing until its next ping, a third of the
 * 30 s session, and the operation fails after its 3 s timeout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HeldAnswerTest {
    private static ServerProcess zookeeper;
    private static AnswerHoldingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        zookeeper = ZooKeeperServers.start();
        proxy = new AnswerHoldingProxy(new InetSocketAddress(zookeeper.host(), zookeeper.port()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    @Test
    void answersHeldBackByTheServerArriveWithinTheTimeout() {
        String uri = "zookeeper://127.0.0.1:" + proxy.port() + "/held?timeout=3s&sessionTimeout=30s&connectTimeout=20s";
        try (LockManager locks = LockManager.builder(ZooKeeperLockBackend.open(uri)).build()) {
            proxy.holdNextAnswer();
            Optional<Lock> taken = locks.tryAcquire("held-answer");
            assertThat(taken).as("the lock, once the held answer to its acquire came").isPresent();
            assertThat(proxy.releasedByClient()).as("held answers the client's later request let through").isEqualTo(1);

            proxy.holdNextAnswer();
            assertThat(locks.inspect("held-answer")).as("inspect of a lock held, its answer held back").isPresent();
            assertThat(proxy.releasedByClient()).isEqualTo(2);

            proxy.holdNextAnswer();
            assertThat(taken.get().release()).as("release, its answer held back").isTrue();
            assertThat(proxy.releasedByClient()).isEqualTo(3);
        }
    }
}
