package io.distlock.redis;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockBackends;
import io.distlock.LockManager;
import io.distlock.spi.LockBackend;
import io.distlock.spi.Secrets;
import io.distlock.testkit.server.RedisServers;
import io.distlock.testkit.server.ServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Wrong password, unknown host, a port that is not Redis, a server that never answers:
 * {@code LockBackendException} naming the URI (password masked) and the cause, within the timeout.
 * Malformed URIs: {@code IllegalArgumentException} naming the bad part.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisBadInputTest {
    private static final String PASSWORD = "s3cret-pw";
    private static final Duration MARGIN = Duration.ofSeconds(2);
    private static ServerProcess redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServers.start("--requirepass", PASSWORD, "--user", "alice", "on", ">alice-pw", "~*", "&*", "+@all");
        // The tests below time how long a failing open takes against its timeouts. The first open of a
        // JVM also loads and initializes Lettuce and Netty (seconds on a loaded host), which is not the
        // wait a timeout promises, so it happens here, whichever test runs first.
        try (LockManager warmUp = LockManager.builder(RedisLockBackend.open("redis://:" + PASSWORD + "@"
                + at(redis.port()))).build()) {
            warmUp.tryAcquire("warm-up").ifPresent(Lock::release);
        }
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    private static String at(int port) {
        return "127.0.0.1:" + port;
    }

    @Test
    void rightPasswordAndAclUserConnect() {
        try (LockManager locks = LockManager.builder(RedisLockBackend.open("redis://:" + PASSWORD + "@"
                + at(redis.port()))).build(); Lock lock = locks.acquire("a")) {
            assertThat(lock.isHeld()).isTrue();
            assertThat(locks.describe()).isEqualTo("redis://:***@" + at(redis.port())).doesNotContain(PASSWORD);
        }
        try (LockManager locks = LockManager.builder(LockBackends.open("redis://alice:alice-pw@" + at(redis.port())
                + "/3")).build(); Lock lock = locks.acquire("a")) {
            assertThat(lock.isHeld()).isTrue();
            assertThat(locks.describe()).isEqualTo("redis://alice:***@" + at(redis.port()) + "/3");
        }
    }

    @Test
    void wrongPassword() {
        String uri = "redis://:wrong-pw@" + at(redis.port()) + "?connectTimeout=1s&timeout=1s";
        assertFailsWithin(Duration.ofSeconds(2), () -> RedisLockBackend.open(uri),
                "redis://:***@" + at(redis.port()), "WRONGPASS");
        assertFailsWithin(Duration.ofSeconds(2), () -> RedisLockBackend.open("redis://alice:nope@" + at(redis.port())),
                "redis://alice:***@" + at(redis.port()), "WRONGPASS");
        assertThatThrownBy(() -> RedisLockBackend.open(uri)).hasMessageNotContaining("wrong-pw");
    }

    @Test
    void missingPassword() {
        assertFailsWithin(Duration.ofSeconds(4), () -> RedisLockBackend.open("redis://" + at(redis.port())),
                "redis://" + at(redis.port()), "NOAUTH");
    }

    @Test
    void unknownHost() {
        String uri = "redis://:pw@distlock-no-such-host.invalid:6379?connectTimeout=1s&timeout=1s";
        assertFailsWithin(Duration.ofSeconds(2), () -> RedisLockBackend.open(uri),
                "redis://:***@distlock-no-such-host.invalid:6379", "distlock-no-such-host.invalid");
    }

    @Test
    void nothingListening() {
        int port = ServerProcess.freePort();
        assertFailsWithin(Duration.ofSeconds(2), () -> RedisLockBackend.open("redis://" + at(port) + "?connectTimeout=1s"),
                "redis://" + at(port), "Connection refused");
    }

    @Test
    void aPortThatSpeaksAnotherProtocol() throws Exception {
        try (FakeServer http = new FakeServer("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")) {
            assertFailsWithin(Duration.ofSeconds(2), () -> RedisLockBackend.open("redis://" + at(http.port())
                    + "?connectTimeout=1s&timeout=1s"), "redis://" + at(http.port()), "Cannot connect");
        }
    }

    @Test
    void aPortThatNeverAnswers() throws Exception {
        try (FakeServer silent = new FakeServer(null)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> RedisLockBackend.open("redis://:pw@" + at(silent.port())
                    + "?connectTimeout=500ms&timeout=1s"))
                    .isInstanceOf(LockBackendException.class)
                    .hasMessageContaining("redis://:***@" + at(silent.port()))
                    .hasMessageContaining("timed out after 1 second")
                    .hasMessageNotContaining(":pw@");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500).plus(MARGIN));
        }
    }

    /**
     * Issue 23: the mistakes people make first, each answered with what to do, on one line (a
     * missing password used to say only Lettuce's "NOAUTH HELLO must be called with the client
     * already authenticated...", a memcached port "Invalid first byte: 69 (E)...").
     */
    @Test
    void commonMistakesSayWhatToDo() throws Exception {
        assertThatThrownBy(() -> RedisLockBackend.open("redis://" + at(redis.port())))
                .hasMessageContaining("the server wants a password (NOAUTH) and none was given: set "
                        + "DISTLOCK_REDIS_PASSWORD, or write it in the URI before the host, as :PASSWORD@")
                .satisfies(RedisBadInputTest::isOneLine);
        assertThatThrownBy(() -> RedisLockBackend.open("redis://:wrong-pw@" + at(redis.port())))
                .hasMessageContaining("the server refused the user or password (WRONGPASS): check DISTLOCK_REDIS_PASSWORD")
                .hasMessageNotContaining("wrong-pw")
                .satisfies(RedisBadInputTest::isOneLine);
        int nobody = ServerProcess.freePort();
        assertThatThrownBy(() -> RedisLockBackend.open("redis://" + at(nobody)))
                .hasMessageContaining("nothing accepts connections there (Connection refused): start the Redis server")
                .satisfies(RedisBadInputTest::isOneLine);
        // What memcached answers to Lettuce's HELLO.
        try (FakeServer memcachedLike = new FakeServer("ERROR\r\n")) {
            assertThatThrownBy(() -> RedisLockBackend.open("redis://" + at(memcachedLike.port())))
                    .hasMessageContaining("does not speak the Redis protocol (its answer began with 'E', as memcached's "
                            + "ERROR does): check the port in the URI")
                    .satisfies(RedisBadInputTest::isOneLine);
        }
    }

    private static void isOneLine(Throwable failure) {
        assertThat(failure).isInstanceOf(LockBackendException.class);
        assertThat(failure.getMessage()).doesNotContain("\n", "\r");
    }

    @Test
    void malformedUrisNameTheBadPart() {
        String base = "redis://127.0.0.1:" + redis.port();
        assertBadUri(base + "?timout=1s", "timout");
        assertBadUri(base + "?timeout=5", "timeout=5");
        assertBadUri(base + "?timeout=-1s", "timeout=-1s");
        assertBadUri(base + "?connectTimeout=0ms", "connectTimeout=0ms");
        assertBadUri(base + "?replicas=-1", "replicas=-1");
        assertBadUri(base + "?replicas=two", "replicas=two");
        assertBadUri(base + "?timeout=1s&replicaTimeout=1s", "replicaTimeout PT1S");
        assertBadUri(base + "?namespace=a{b}", "namespace 'a{b}'");
        assertBadUri(base + "?namespace=", "parameter 'namespace' without a value");
        assertBadUri(base + "?cluster=maybe", "cluster=maybe");
        assertThatThrownBy(() -> LockBackends.open(base + "?timeout=P99999999999D")).as("contract 6.2: over the maximum")
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout=P99999999999D")
                .hasMessageContaining("365 days");
        assertThatThrownBy(() -> RedisLockBackend.builder(base).timeout(Duration.ofDays(366)))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout")
                .hasMessageContaining("365 days");
        assertBadUri(base + "?timeout=1s&timeout=2s", "repeats parameter 'timeout'");
        assertBadUri(base + "?timeout", "parameter 'timeout' without a value");
        assertBadUri(base + "?replicas", "parameter 'replicas' without a value");
        assertBadUri("redis:127.0.0.1", "must name a host");
        assertBadUri("redis://127.0.0.1:1,127.0.0.1:2", "several hosts");
        assertBadUri("memcached://127.0.0.1:11211", "memcached://127.0.0.1:11211");
        assertBadUri("redis-sentinel://127.0.0.1:26379?cluster=true", "Sentinel");
        assertBadUri("redis://:secret@127.0.0.1:" + redis.port() + "?bogus=1", "redis://:***@");
        assertThatThrownBy(() -> RedisLockBackend.open("redis://:secret@host?bogus=1"))
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> RedisLockBackend.builder(base).replicas(-2, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
        assertThatThrownBy(() -> RedisLockBackend.builder(base).timeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT0S");
        assertThatThrownBy(() -> RedisLockBackend.open(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void masking() {
        assertThat(Secrets.mask("redis://user:pa:ss@h:1/0?x=1")).isEqualTo("redis://user:***@h:1/0?x=1");
        assertThat(Secrets.mask("redis://secret@h:1")).isEqualTo("redis://***@h:1");
        assertThat(Secrets.mask("rediss://:p@ss@h")).isEqualTo("rediss://:***@h");
        assertThat(Secrets.mask("redis-sentinel://:pw@h1:26379,h2:26379/0#master"))
                .isEqualTo("redis-sentinel://:***@h1:26379,h2:26379/0#master");
        // An '@' after the host part could end a user info holding '?': masked up to it, never under-masked.
        assertThat(Secrets.mask("redis://h:1?a=b@c")).isEqualTo("redis://***@c");
    }

    @Test
    void settingsNeverShowThePassword() {
        for (String uri : List.of("redis://:PwRedis1@h:1", "redis://alice:PwRedis1@h:1/2", "redis://PwRedis1@h:1",
                "redis-sentinel://:PwRedis1@h1:26379,h2:26379?sentinelMasterId=m", "redis://:Pw%23Redis1@h:1")) {
            RedisSettings settings = RedisSettings.parse(uri, new RedisSettings.Overrides());
            assertThat(settings.toString()).as(uri).doesNotContain("PwRedis1").doesNotContain("Pw#Redis1");
        }
    }

    @Test
    void aPasswordWithAHashIsRefusedBeforeAnyHostIsLookedUp() {
        // Read as RFC 3986 says, "s3cr" would be the host (and go to DNS) and "et@127.0.0.1:1" the fragment.
        for (String uri : List.of("redis://:s3cr#et@127.0.0.1:1", "redis://s3cr#et@127.0.0.1:1",
                "redis://:s3cr/et@127.0.0.1:1", "redis://:s3cr?et@127.0.0.1:1", "redis://u:s3cr?a=b@127.0.0.1:1",
                // a password without a colon, which Redis allows: before, "unknown parameter 'a'"
                "redis://s3cr?a=b@127.0.0.1:1", "redis://s3cr?timeout=et@127.0.0.1:1")) {
            assertThatThrownBy(() -> RedisLockBackend.open(uri)).as(uri).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("percent-encode").message().doesNotContain("s3cr").doesNotContain("et@")
                    .doesNotContain("'a'").doesNotContain("timeout");
        }
    }

    private static void assertBadUri(String uri, String named) {
        assertThatThrownBy(() -> RedisLockBackend.open(uri)).as(uri).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(named);
    }

    private static void assertFailsWithin(Duration limit, Executable open, String maskedUri, String cause) {
        long start = System.nanoTime();
        Throwable thrown = null;
        try {
            LockBackend unexpected = (LockBackend) null;
            open.execute();
            assertThat(unexpected).as("open should have failed").isNotNull();
        } catch (Throwable t) {
            thrown = t;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(thrown).isInstanceOf(LockBackendException.class).hasMessageContaining(maskedUri)
                .hasMessageContaining(cause);
        assertThat(took).isLessThan(limit.plus(MARGIN));
    }

    /** Accepts connections on a free loopback port and answers with {@code reply} (or nothing), then closes. */
    private static final class FakeServer implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> accepted = new ArrayList<>();
        private final Thread acceptor;

        FakeServer(String reply) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket client = socket.accept();
                        synchronized (accepted) {
                            accepted.add(client);
                        }
                        if (reply != null) {
                            OutputStream out = client.getOutputStream();
                            out.write(reply.getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                            client.close();
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "fake-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            synchronized (accepted) {
                for (Socket s : accepted) {
                    s.close();
                }
            }
            acceptor.join(5000);
        }
    }
}
