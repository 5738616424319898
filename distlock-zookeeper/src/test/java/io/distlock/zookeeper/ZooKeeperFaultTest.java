package io.distlock.zookeeper;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.testkit.Eventually;
import io.distlock.testkit.RecordingEvents;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.ZooKeeperServers;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Faults of one server: a session ended from outside, a frozen server, a restart. Each test has its own server. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperFaultTest {
    private static final Duration PATIENCE = Duration.ofSeconds(40);
    private ServerProcess zookeeper;

    @BeforeEach
    void startZooKeeper() {
        zookeeper = ZooKeeperServers.start();
    }

    @AfterEach
    void stopZooKeeper() {
        if (zookeeper != null) {
            zookeeper.close();
        }
    }

    private String hosts() {
        return "127.0.0.1:" + zookeeper.port();
    }

    /** The node of lock {@code name} of the default namespace under this class's chroot. */
    private static String lockPath(String name) {
        return new ZooKeeperKeys("/faults/" + ZooKeeperSettings.DEFAULT_NAMESPACE).lockPath(name);
    }

    private String uri(String query) {
        return "zookeeper://" + hosts() + "/faults" + query;
    }

    @Test
    void aSessionExpiredFromOutsideLosesItsLocks_callsTheListenerOnce_andFreesThemForOthers() throws Exception {
        ZooKeeperLockBackend backend = ZooKeeperLockBackend.open(uri("?sessionTimeout=30s"));
        try (LockManager holder = LockManager.builder(backend).build();
             LockManager other = LockManager.builder(ZooKeeperLockBackend.open(uri(""))).build()) {
            AtomicInteger lostCalls = new AtomicInteger();
            CountDownLatch lost = new CountDownLatch(1);
            // The longest lease the session allows: it still runs when the session is ended under it.
            Lock lock = holder.acquire("expired", LockOptions.builder().lease(Duration.ofSeconds(30)).onLost((l, cause) -> {
                lostCalls.incrementAndGet();
                lost.countDown();
            }).build());
            assertThat(other.tryAcquire("expired")).isEmpty();

            // The server ends the holder's session, as an expiry would, and deletes its ephemeral
            // nodes; the session is the one the server says owns the lock node.
            try (ZooKeeper raw = RawZooKeeper.connect(hosts())) {
                long session = raw.exists(lockPath("expired"), false).getEphemeralOwner();
                ServerSideSessions.terminate(zookeeper, session);
            }

            assertThat(lost.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("lost-lock listener called").isTrue();
            assertThat(lock.isHeld()).isFalse();
            Optional<Lock> taken = other.tryAcquire("expired");
            assertThat(taken).as("free for others once the session is gone").isPresent();
            assertThat(taken.get().token()).isGreaterThan(lock.token());
            assertThat(lock.release()).as("releasing the lost lock reports it").isFalse();
            assertThat(other.inspect("expired")).map(LockInfo::token).contains(taken.get().token());
            assertThat(lostCalls.get()).isEqualTo(1);
            // The holder's manager works on, in its new session.
            Eventually.until("the holder's backend has a new session", PATIENCE,
                    () -> holder.tryAcquire("after-expiry").map(Lock::release).orElse(false));
        }
    }

    @Test
    void aFrozenServerFailsOperationsWithinTheTimeout_suspends_andThenRestoresOrLoses_neverSilently() throws Exception {
        RecordingEvents events = new RecordingEvents();
        try (ZooKeeperLockBackend backend = ZooKeeperLockBackend.open(uri("?sessionTimeout=6s&timeout=1s"))) {
            backend.start(events);
            AcquireResult held = backend.tryAcquire(request("frozen", "owner-1"));
            assertThat(held.isAcquired()).isTrue();

            zookeeper.freeze();
            try {
                long start = System.nanoTime();
                // A timeout, or a dropped connection if the client notices the silence first: either
                // way a LockBackendException, within the 1 s timeout (plus this machine's slack).
                assertThatThrownBy(() -> backend.tryAcquire(request("frozen-2", "owner-2")))
                        .isInstanceOf(LockBackendException.class).hasMessageContaining("frozen-2");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
                // The client notices the silence after 2/3 of the session timeout.
                Eventually.until("connectionLost reported", PATIENCE, () -> !events.connectionsLost.isEmpty());
            } finally {
                zookeeper.thaw();
            }
            Eventually.until("the connection is back (same or new session)", PATIENCE,
                    () -> events.connectionsRestored.get() > 0);
            // The acquire that timed out while the server was frozen may have been applied when it
            // thawed: the backend releases it once the connection is back, so it never stays.
            // Its node is looked for itself: inspect would call it free once its lease ran out anyway.
            try (ZooKeeper raw = RawZooKeeper.connect(hosts())) {
                Eventually.until("the timed-out acquire left no lock behind", PATIENCE,
                        () -> absent(raw, lockPath("frozen-2")));
            }
            Optional<LockInfo> holder = backend.inspect("frozen");
            if (events.lost.isEmpty()) {
                // Same session: the lock is still ours, so our release finds our marker (its 6 s lease,
                // as long as the session allows, may have run out meanwhile, so inspect may call it free).
                assertThat(holder.map(LockInfo::ownerId).orElse("owner-1")).isEqualTo("owner-1");
                assertThat(backend.release("frozen", "owner-1")).isTrue();
            } else {
                // The session expired while the server was frozen: reported, and the node is gone.
                assertThat(events.lost).containsExactly("frozen owner-1");
                assertThat(holder).isEmpty();
            }
        }
    }

    /**
     * The whole machine freezes (a virtual machine paused by its host) while an acquire is in
     * flight: the server and this JVM stand still together for three times the operation timeout.
     * On waking, the monotonic clock has jumped past the deadline; the answer the server sends
     * within milliseconds must still be read, not reported as "did not answer within 1s". Here the
     * server is stopped first, so the request is in flight, then this JVM, half a timeout later.
     */
    @Test
    void anAcquireInFlightWhenTheWholeMachineFreezesStillGetsItsAnswer() throws Exception {
        try (ZooKeeperLockBackend backend = ZooKeeperLockBackend.open(uri("?timeout=1s"))) {
            backend.start(new RecordingEvents());
            long self = ProcessHandle.current().pid();
            for (int attempt = 0; ; attempt++) {
                assertThat(attempt).as("attempts until the freeze fell inside the acquire").isLessThan(5);
                Process freezer = new ProcessBuilder("sh", "-c", "kill -STOP " + zookeeper.pid() + "; sleep 0.5; kill -STOP "
                        + self + "; sleep 3; kill -CONT " + zookeeper.pid() + " " + self).start();
                Eventually.until("the server stopped", PATIENCE, () -> stopped(zookeeper.pid()));
                long start = System.nanoTime();
                AcquireResult result = backend.tryAcquire(request("frozen-machine-" + attempt, "owner-" + attempt));
                long took = System.nanoTime() - start;
                assertThat(freezer.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(result.isAcquired()).isTrue();
                assertThat(backend.release("frozen-machine-" + attempt, "owner-" + attempt)).isTrue();
                if (took >= TimeUnit.SECONDS.toNanos(3)) {
                    return; // this JVM was frozen during the acquire, and the answer was read
                }
                // The freeze came before or after the acquire on a slow machine: nothing shown, again.
            }
        }
    }

    private static boolean stopped(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("T");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void tokensKeepIncreasingAcrossAServerRestart() {
        long before;
        try (LockManager locks = LockManager.builder(ZooKeeperLockBackend.open(uri(""))).build()) {
            Lock lock = locks.acquire("restart");
            before = lock.token();
            lock.release();
        }
        zookeeper.restart();
        try (LockManager locks = LockManager.builder(ZooKeeperLockBackend.open(uri(""))).build()) {
            Lock lock = locks.acquire("restart");
            assertThat(lock.token()).isGreaterThan(before);
            lock.release();
        }
    }

    private static boolean absent(ZooKeeper raw, String path) {
        try {
            return raw.exists(path, false) == null;
        } catch (KeeperException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static AcquireRequest request(String name, String ownerId) {
        return new AcquireRequest(name, ownerId, Duration.ofSeconds(6), "test-host", ProcessHandle.current().pid(),
                Thread.currentThread().getName(), Instant.now());
    }
}
