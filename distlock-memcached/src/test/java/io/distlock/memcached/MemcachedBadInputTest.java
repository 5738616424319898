package io.distlock.memcached;

import io.distlock.spi.BackendOptions;
import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockBackends;
import io.distlock.LockException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.Durations;
import io.distlock.testkit.server.MemcachedServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Servers that are not there or not memcached, names memcached itself would refuse, and leases at the edges. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MemcachedBadInputTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static ServerProcess memcached;

    @BeforeAll
    static void start() {
        memcached = MemcachedServers.start();
    }

    @AfterAll
    static void stop() {
        if (memcached != null) {
            memcached.close();
        }
    }

    private static LockManager managerOn(String uri) {
        return LockManager.builder(LockBackends.open(uri)).build();
    }

    private static void assertFailsWithinTimeout(LockManager locks, String name, String mentioning) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> locks.acquire(name, LockOptions.tryOnce()))
                .isInstanceOf(LockBackendException.class).hasMessageContaining(mentioning);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusSeconds(2));
    }

    @Test
    void anUnreachableServerFailsEveryCallWithinTheTimeout() {
        int nobody = ServerProcess.freePort();
        try (LockManager locks = managerOn("memcached://127.0.0.1:" + nobody + "?timeout=1s&connectTimeout=1s")) {
            assertFailsWithinTimeout(locks, "job", "127.0.0.1:" + nobody);
            assertThatThrownBy(() -> locks.inspect("job")).isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("nothing accepts connections at 127.0.0.1:" + nobody
                            + " (Connection refused): start memcached there, or correct its host and port");
            assertThatThrownBy(() -> locks.forceRelease("job")).isInstanceOf(LockBackendException.class);
        }
    }

    @Test
    void aServerThatAnswersGarbageFailsWithinTheTimeoutAndNeverGrantsTheLock() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        java.util.Queue<Socket> accepted = new java.util.concurrent.ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newCachedThreadPool();
        try (ServerSocket garbage = new ServerSocket()) {
            garbage.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            pool.submit(() -> {
                while (!garbage.isClosed()) {
                    Socket socket;
                    try {
                        socket = garbage.accept();
                    } catch (IOException closed) {
                        return null;
                    }
                    connections.incrementAndGet();
                    accepted.add(socket);
                    pool.submit(() -> answerNonsense(socket));
                }
                return null;
            });
            String uri = "memcached://127.0.0.1:" + garbage.getLocalPort() + "?timeout=1s&connectTimeout=1s";
            try (LockManager locks = managerOn(uri)) {
                for (int i = 0; i < 3; i++) {
                    assertFailsWithinTimeout(locks, "job-" + i, "127.0.0.1:" + garbage.getLocalPort());
                }
                // Asked in memcached's text protocol once its calls went unanswered, it is named for what it is.
                assertThatThrownBy(() -> locks.inspect("job")).isInstanceOf(LockBackendException.class)
                        .hasMessageContaining("the server at 127.0.0.1:" + garbage.getLocalPort() + " is not memcached")
                        .hasMessageContaining("'HELLO I AM NOT MEMCACHED 42'")
                        .hasMessageContaining("check the port in the URI");
            }
            assertThat(connections.get()).as("the client did talk to the garbage server").isPositive();
        } finally {
            // A blocking socket read ignores interrupts: close the server's ends, whatever the
            // client's connections (a reconnect in flight when the manager closed) are doing.
            accepted.forEach(socket -> {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // already closed
                }
            });
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("the garbage server's threads ended").isTrue();
        }
    }

    /** Reads whatever comes and answers each read with a line that no memcached protocol knows. */
    private static Void answerNonsense(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[4096];
            while (in.read(buffer) >= 0) {
                out.write("HELLO I AM NOT MEMCACHED 42\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException gone) {
            // The client hung up.
        }
        return null;
    }

    @Test
    void namesMemcachedWouldRefuseAreLocksOfTheirOwn() {
        String uri = MemcachedServers.uri("namespace=odd", memcached);
        String base = "odd-" + System.nanoTime();
        List<String> names = List.of(base + " with spaces", base + "\r\nset x 0 0 1\r\n", base + "\u0000\u0001\u007f",
                base + "x".repeat(1024 - base.length()), base + "é".repeat((1024 - base.length()) / 2),
                base + "%20", base + ":l:colon", "x".repeat(250));
        try (LockManager first = managerOn(uri); LockManager second = managerOn(uri)) {
            List<Lock> held = new ArrayList<>();
            for (String name : names) {
                Lock lock = first.acquire(name, LockOptions.tryOnce());
                held.add(lock);
                assertThat(second.tryAcquire(name)).as("'%s' is exclusive", name).isEmpty();
                assertThat(second.inspect(name)).as("inspect '%s'", name).isPresent()
                        .hasValueSatisfying(info -> assertThat(info.token()).isEqualTo(lock.token()));
            }
            assertThat(held).allMatch(Lock::release);
            for (String name : names) {
                assertThat(second.inspect(name)).as("'%s' released", name).isEmpty();
            }
        }
    }

    @Test
    void theServerKeepsALockForAtLeastItsLeaseCountedFromBeforeTheRequest() {
        // memcached's clock ticks once a second; three acquisitions land at different points of it.
        String uri = MemcachedServers.uri("namespace=lease", memcached);
        try (LockManager holder = managerOn(uri); LockManager other = managerOn(uri)) {
            for (int i = 0; i < 3; i++) {
                String name = "lease-" + System.nanoTime();
                long sent = System.nanoTime();
                holder.acquire(name, LockOptions.builder().lease(Duration.ofMillis(1000)).tryOnce().build());
                Lock next = other.acquire(name, LockOptions.builder().timeout(Duration.ofSeconds(10))
                        .retryInterval(Duration.ofMillis(20)).build());
                assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("the 1 s lease was kept for at least 1 s")
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
                next.release();
            }
        }
    }

    @Test
    void leasesOverThirtyDaysAreAbsoluteTimesThere() {
        String uri = MemcachedServers.uri("namespace=long", memcached);
        MemcachedKeys keys = new MemcachedKeys("long");
        try (LockManager holder = managerOn(uri); LockManager other = managerOn(uri)) {
            for (Duration lease : List.of(Duration.ofDays(1), Duration.ofDays(30), Duration.ofDays(31), Durations.MAX)) {
                String name = "long-" + lease.toDays() + "-" + System.nanoTime();
                try (Lock lock = holder.acquire(name, LockOptions.builder().lease(lease).tryOnce().build())) {
                    // Sent as a relative 31 days, memcached would read a date in 1970 and drop it at once.
                    assertThat(other.tryAcquire(name)).as("a %s lease holds", lease).isEmpty();
                    assertThat(other.inspect(name)).isPresent();
                    assertStoredFor(keys.lockKey(name), lease);
                    lock.extend(lease);
                    assertThat(other.tryAcquire(name)).as("a %s extension holds", lease).isEmpty();
                    assertStoredFor(keys.lockKey(name), lease);
                }
                assertThat(other.inspect(name)).isEmpty();
            }
        }
    }

    /** The server keeps the item for the lease plus the few seconds of MemcachedConnection#expiry, never forever. */
    private static void assertStoredFor(String key, Duration lease) {
        Long ttl = MemcachedServers.ttl(memcached, key);
        // A loaded machine may take a few seconds between the store and this look.
        assertThat(ttl).as("seconds left of a %s lease", lease).isNotNull()
                .isBetween(lease.getSeconds() - 10, lease.getSeconds() + 4);
    }

    @Test
    void aLeaseEndingPast2038IsRefusedNeverStoredWithoutExpiry() {
        MemcachedSettings.Server server = new MemcachedSettings.Server(memcached.host(), memcached.port());
        try (MemcachedConnection node = new MemcachedConnection(server, TIMEOUT, TIMEOUT, n -> { })) {
            // Beyond the maximum, so only the node can be asked: a lease that memcached's 32-bit time
            // cannot hold, as a lease of the maximum would be on a server whose clock reads 2037.
            Duration pastTheLimit = Duration.ofSeconds(Integer.MAX_VALUE - MemcachedServers.time(memcached) + 60);
            assertThatThrownBy(() -> node.expiry(pastTheLimit)).isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("2038").hasMessageContaining(server.label());
            assertThat((long) node.expiry(Durations.MAX)).as("a year is an absolute time past the server's clock")
                    .isBetween(MemcachedServers.time(memcached) + Durations.MAX.getSeconds() - 10,
                            MemcachedServers.time(memcached) + Durations.MAX.getSeconds() + 10);
        }
        assertThatThrownBy(() -> LockOptions.builder().lease(Duration.ofDays(365 * 20)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("365 days");
    }

    @Test
    void listIsUnsupportedAndSaysWhy() {
        try (LockManager locks = managerOn(MemcachedServers.uri("", memcached))) {
            assertThatThrownBy(() -> locks.list("")).isInstanceOf(LockException.class)
                    .hasMessageContaining("cannot enumerate");
        }
    }

    @Test
    void malformedUrisNameTheirMistake() {
        assertBadUri("memcached://h1:99999", "99999");
        assertBadUri("memcached://h1:11211,h1:11211", "twice");
        assertBadUri("memcached://user:secret@h1", "user info");
        assertBadUri("memcached://h1/path", "/path");
        assertBadUri("memcached://h1?timeout=soon", "soon");
        assertBadUri("memcached://h1?timeout=0s", "positive");
        assertBadUri("memcached://h1?namespaces=x", "namespaces");
        assertBadUri("memcached://h1?namespace=a%20b", "a b");
        assertBadUri("memcached://h1,,h2", "empty host");
        assertBadUri("memcached:somewhere", "memcached://");
        assertBadUri("memcached://::1:11211", "brackets");
        assertThatThrownBy(() -> LockBackends.open("memcached://user:secret@h1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("secret");
    }

    private static void assertBadUri(String uri, String mentioning) {
        assertThatThrownBy(() -> MemcachedSettings.parse(uri, new BackendOptions(), name -> null))
                .as(uri).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(mentioning);
    }
}
