package io.distlock.zookeeper;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockBackends;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.ZooKeeperServers;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.common.PathUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the kit does not cover: the node name mapping, the URI, namespaces on the server, a server that is not there. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZooKeeperBackendTest {
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

    private static String uri(String query) {
        return "zookeeper://127.0.0.1:" + zookeeper.port() + "/backend-test" + query;
    }

    static final List<String> TRICKY = List.of("a", "A", "a/b", "a%2Fb", "a%2fb", "a~b", "~0041", "a+b", "o-x+y",
            "..", ".", "../../etc/passwd", "/", "//", "zookeeper", "l-a", "%", "%%41", " ", "\u0000", "\n\t",
            "é", "e\u0301", "名前", "🔒", "\ud800", "\udc00", "\udc00\ud800", "x".repeat(1024), "é".repeat(512),
            "🔒".repeat(256), "\ud800".repeat(300), "a\u007f\u0080\u009f\ufff0\uffff");

    @Test
    void nodeNamesAreReversibleInjectiveAndValidZooKeeperNodes() {
        Set<String> nodes = new HashSet<>();
        for (String name : TRICKY) {
            String node = ZooKeeperKeys.lockNode(name);
            assertThat(ZooKeeperKeys.lockName(node)).as("decoding the node of %s", name).contains(name);
            assertThat(nodes.add(node)).as("node of %s is its own", name).isTrue();
            PathUtils.validatePath("/ns/locks/" + node); // throws IllegalArgumentException if ZooKeeper would refuse it
            assertThat(node).doesNotContain("/");
        }
    }

    @Test
    void onlyCanonicalNodeNamesDecode() {
        // Lower-case hex, an escaped plain character, an escaped valid pair written as two lone
        // surrogates, malformed UTF-8, a raw non-plain character, another prefix: none of them is a
        // name escape writes, so none may decode (else two nodes could mean one name).
        for (String node : List.of("l-%2f", "l-%41", "l-~D83D~DD12", "l-%FF", "l-%C3", "l-a b", "l-%", "l-~12",
                "x-abc", "o-abc+def", "l-~0041")) {
            assertThat(ZooKeeperKeys.lockName(node)).as(node).isEmpty();
        }
        assertThat(ZooKeeperKeys.lockName("l-a%2Fb")).contains("a/b");
    }

    @Test
    void ownerMarkersAreDistinctForEveryOwnerAndNamePair() {
        Set<String> markers = new HashSet<>();
        for (String owner : List.of("o1", "o1+a", "o", "a+b")) {
            for (String name : List.of("a", "+a", "b+", "a+b", "")) {
                assertThat(markers.add(ZooKeeperKeys.ownerNode(owner, name))).as("%s / %s", owner, name).isTrue();
            }
        }
    }

    @Test
    void badUrisAreRejectedNamingTheBadPart() {
        String host = "zookeeper://127.0.0.1:" + zookeeper.port();
        assertThatThrownBy(() -> ZooKeeperLockBackend.open(host + "?sessionTimeot=5s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionTimeot");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open(host + "?namespace=a/b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a/b");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open(host + "?namespace=.."))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open(host + "?namespace=zookeeper"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zookeeper");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open(host + "?sessionTimeout=0s"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionTimeout=0s");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open(host + "?timeout=soon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=soon");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open(host + "?sessionTimeout=400d"))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("sessionTimeout=400d")
                .hasMessageContaining("365 days");
        assertThatThrownBy(() -> ZooKeeperLockBackend.builder(host).timeout(java.time.Duration.ofDays(366)))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout")
                .hasMessageContaining("365 days");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open("zookeeper://h1:99999"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("h1:99999");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open("zookeeper://h1:2181,/x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty host");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open("zookeeper:///chroot"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names no server");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open("zookeeper://h1/a/./b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/a/./b");
        assertThatThrownBy(() -> ZooKeeperLockBackend.open("zookeeper://user:s3cret@h1:2181"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user info")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> ZooKeeperLockBackend.builder(host).namespace(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("namespace");
        assertThatThrownBy(() -> ZooKeeperLockBackend.builder(host).sessionTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }

    @Test
    void settingsReadEveryPartOfTheUri() {
        ZooKeeperSettings settings = ZooKeeperSettings.parse(
                "zookeeper://h1,h2:2182,[::1]:2183/apps/locks/?namespace=billing&sessionTimeout=12s&connectTimeout=3s&timeout=750ms",
                new ZooKeeperSettings.Overrides());
        assertThat(settings.connectString()).isEqualTo("h1:2181,h2:2182,[::1]:2183");
        assertThat(settings.base()).isEqualTo("/apps/locks/billing");
        assertThat(settings.sessionTimeout()).isEqualTo(Duration.ofSeconds(12));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.commandTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(ZooKeeperSettings.parse("zookeeper://h1", new ZooKeeperSettings.Overrides()).base())
                .isEqualTo("/distlock");
    }

    @Test
    void theProviderOpensZookeeperUris() {
        try (LockBackend backend = LockBackends.open(uri("?namespace=provider"))) {
            assertThat(backend).isInstanceOf(ZooKeeperLockBackend.class);
            assertThat(backend.describe()).startsWith("zookeeper://127.0.0.1:" + zookeeper.port());
        }
    }

    @Test
    void namespacesThatArePrefixesOfEachOtherNeverShareALock() {
        try (LockManager app = LockManager.builder(ZooKeeperLockBackend.open(uri("?namespace=app"))).build();
             LockManager appLock = LockManager.builder(ZooKeeperLockBackend.open(uri("?namespace=app:lock"))).build();
             LockManager appDot = LockManager.builder(ZooKeeperLockBackend.open(uri("?namespace=app.locks"))).build()) {
            List<Lock> held = new ArrayList<>();
            for (String name : List.of("x", "lock:x", "locks/l-x", "../app:lock/locks/l-x")) {
                held.add(app.acquire(name, LockOptions.tryOnce()));
                held.add(appLock.acquire(name, LockOptions.tryOnce()));
                held.add(appDot.acquire(name, LockOptions.tryOnce()));
            }
            assertThat(app.list("")).extracting(io.distlock.LockInfo::name)
                    .containsExactlyInAnyOrder("x", "lock:x", "locks/l-x", "../app:lock/locks/l-x");
            assertThat(held).allMatch(Lock::isHeld);
            held.forEach(Lock::release);
        }
    }

    @Test
    void closingTheBackendEndsItsSessionAndFreesItsLocksAtOnce() {
        LockManager holder = LockManager.builder(ZooKeeperLockBackend.open(uri(""))).build();
        try (LockManager other = LockManager.builder(ZooKeeperLockBackend.open(uri(""))).build()) {
            holder.acquire("closing");
            assertThat(other.tryAcquire("closing")).isEmpty();
            holder.close();
            assertThat(other.tryAcquire("closing")).isPresent();
        }
    }

    @Test
    void noNodeIsLeftBehindByAReleasedLock() throws Exception {
        try (LockManager locks = LockManager.builder(ZooKeeperLockBackend.open(uri("?namespace=tidy"))).build()) {
            for (int i = 0; i < 5; i++) {
                locks.acquire("tidy-" + i).release();
            }
            Lock stillHeld = locks.acquire("held");
            try (ZooKeeper raw = RawZooKeeper.connect("127.0.0.1:" + zookeeper.port())) {
                assertThat(raw.getChildren("/backend-test/tidy/locks", false)).containsExactly("l-held");
                assertThat(raw.getChildren("/backend-test/tidy/owners", false)).hasSize(1)
                        .allMatch(marker -> marker.endsWith("+held"));
            }
            stillHeld.release();
        }
    }

    /**
     * A lease longer than the session is refused before anything is sent: the lock node goes with
     * the session, so a holder paused past it would still believe its lease ran. The session that
     * counts is the one the server granted, which may be shorter than the one asked for.
     */
    @Test
    void aLeaseLongerThanTheSessionIsRefused_namingTheLeaseAndTheSession() throws Exception {
        try (LockManager locks = LockManager.builder(ZooKeeperLockBackend.open(uri("?namespace=leases&sessionTimeout=5s")))
                .build()) {
            assertThatThrownBy(() -> locks.acquire("long", LockOptions.builder().lease(Duration.ofMillis(5001)).build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("lease 5001ms").hasMessageContaining("'long'")
                    .hasMessageContaining("session timeout of 5s");
            assertThat(locks.inspect("long")).as("nothing taken").isEmpty();
            try (ZooKeeper raw = RawZooKeeper.connect("127.0.0.1:" + zookeeper.port())) {
                assertThat(raw.getChildren("/backend-test/leases/owners", false)).as("no marker left").isEmpty();
            }

            Lock lock = locks.acquire("long", LockOptions.builder().lease(Duration.ofSeconds(5)).build());
            assertThat(lock.isHeld()).as("a lease as long as the session is kept").isTrue();
            assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(6)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lease 6s");
            assertThat(lock.isHeld()).as("a refused extension leaves the lock held").isTrue();
            lock.extend(Duration.ofSeconds(4));
            assertThat(lock.release()).isTrue();
        }
        // The server grants at most its maxSessionTimeout (60 s here): a 90 s session asked for is 60 s.
        try (LockManager locks = LockManager.builder(ZooKeeperLockBackend.open(uri("?namespace=leases&sessionTimeout=90s")))
                .build()) {
            assertThatThrownBy(() -> locks.acquire("capped", LockOptions.builder().lease(Duration.ofSeconds(61)).build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("session timeout of 1m00s").hasMessageContaining("asked for 1m30s");
            locks.acquire("capped", LockOptions.builder().lease(Duration.ofSeconds(60)).build()).release();
        }
    }

    @Test
    void theDefaultLeaseFitsTheDefaultSession() {
        try (LockManager locks = LockManager.builder(ZooKeeperLockBackend.open(uri("?namespace=leases"))).build()) {
            Lock lock = locks.acquire("defaults");
            LockInfo info = locks.inspect("defaults").orElseThrow();
            assertThat(Duration.between(info.acquiredAt(), info.expiresAt())).isBetween(Duration.ofSeconds(19), Duration.ofSeconds(21));
            lock.extend(Duration.ofSeconds(30));
            assertThat(lock.release()).isTrue();
        }
    }

    @Test
    void anUnreachableServerFailsWithinTheConnectTimeout() {
        int closedPort = ServerProcess.freePort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> ZooKeeperLockBackend.open("zookeeper://127.0.0.1:" + closedPort + "?connectTimeout=1s"))
                .isInstanceOf(LockBackendException.class).hasMessageContaining("127.0.0.1:" + closedPort)
                .hasMessageContaining("connectTimeout")
                .hasMessageContaining("nothing accepts connections at 127.0.0.1:" + closedPort + " (Connection refused)")
                .hasMessageContaining("start ZooKeeper there")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
                .as("a refusal is one that another try may cure: a command line that may wait tries again")
                .matches(io.distlock.spi.ConnectionUnavailableException::isTransient);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    /**
     * Issue 23: {@code zookeeper://} at a port that accepts connections but never answers in
     * ZooKeeper's protocol (another server's port, an ensemble without a quorum) said only that no
     * session came, and then took 25 s more to close: ZooKeeper's close waits for the answer to a
     * session end that never comes. It says what to check now, and fails within the connect timeout.
     */
    @Test
    void aPortThatIsNotZooKeepersSaysWhatToCheck_withinTheConnectTimeout() throws Exception {
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + silent.getLocalPort();
            long start = System.nanoTime();
            assertThatThrownBy(() -> ZooKeeperLockBackend.open("zookeeper://" + address + "?connectTimeout=1s"))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining(address + " accepts connections but started no session")
                    .hasMessageContaining("ZooKeeper client port")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
                    .matches(e -> !io.distlock.spi.ConnectionUnavailableException.isTransient(e), "not transient");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("1 s to connect, 1 s at most to look")
                    .isLessThan(Duration.ofSeconds(6));
        }
    }
}
