package io.distlock.redis;

import io.distlock.testkit.Eventually;
import io.distlock.testkit.server.RedisServers;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.testkit.server.ServerProcess;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslVerifyMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code rediss://} against a private redis-server that speaks only TLS, with a throwaway CA and
 * server certificate made by openssl at test time: locking and release messages work over TLS,
 * the certificate is verified unless {@code verifyPeer=NONE} says otherwise, and a plain client
 * on the TLS port fails within its timeout instead of hanging.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisTlsTest {
    private static final Duration MARGIN = Duration.ofSeconds(2);
    private static Path certificates;
    private static SSLContext trustingTheTestCa;
    private static ServerProcess redis;
    private final List<LockManager> managers = new ArrayList<>();

    @BeforeAll
    static void startTlsRedis() throws Exception {
        certificates = Files.createTempDirectory("distlock-redis-tls-");
        makeCertificates(certificates);
        trustingTheTestCa = sslContextTrusting(certificates.resolve("ca.crt"));
        redis = ServerProcess.builder("redis-server")
                .installHint(RedisServers.INSTALL_HINT)
                .arguments((port, dir) -> List.of("--port", "0", "--tls-port", String.valueOf(port),
                        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                        "--daemonize", "no",
                        "--tls-cert-file", certificates.resolve("server.crt").toString(),
                        "--tls-key-file", certificates.resolve("server.key").toString(),
                        "--tls-ca-cert-file", certificates.resolve("ca.crt").toString(),
                        "--tls-auth-clients", "no"))
                .readiness(RedisTlsTest::answersPingOverTls)
                .start();
    }

    @AfterAll
    static void stopTlsRedis() throws IOException {
        if (redis != null) {
            redis.close();
        }
        if (certificates != null) {
            try (Stream<Path> files = Files.walk(certificates)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @AfterEach
    void closeManagers() {
        managers.forEach(LockManager::close);
    }

    private LockManager manager(String parameters) {
        LockManager locks = LockManager.builder(RedisLockBackend.open(tlsUri(parameters))).build();
        managers.add(locks);
        return locks;
    }

    private static String tlsUri(String parameters) {
        return "rediss://127.0.0.1:" + redis.port() + "?verifyPeer=NONE&namespace=tls" + parameters;
    }

    @Test
    void twoManagersExcludeEachOtherOverTls() {
        LockManager first = manager("");
        LockManager second = manager("");
        Lock held = first.acquire("tls-exclusion", LockOptions.tryOnce());
        assertThat(second.tryAcquire("tls-exclusion")).isEmpty();
        assertThat(second.inspect("tls-exclusion")).hasValueSatisfying(info ->
                assertThat(info.token()).isEqualTo(held.token()));
        assertThat(held.release()).isTrue();
        try (Lock next = second.acquire("tls-exclusion", LockOptions.tryOnce())) {
            assertThat(next.token()).isGreaterThan(held.token());
        }
        assertThat(first.inspect("tls-exclusion")).isEmpty();
    }

    @Test
    void aReleaseMessageOverTlsWakesAWaiterLongBeforeItsNextPoll() throws Exception {
        LockManager holder = manager("");
        // Polling every 30 s (jittered: 15 to 45 s), so only the release message can wake it in time.
        LockManager waiter = LockManager.builder(RedisLockBackend.open(tlsUri("")))
                .defaultRetryInterval(Duration.ofSeconds(30)).build();
        managers.add(waiter);
        Lock held = holder.acquire("tls-wake", LockOptions.tryOnce());
        CompletableFuture<Lock> waiting = CompletableFuture.supplyAsync(() -> waiter.acquire("tls-wake"));
        try (RawRedis raw = new RawRedis(RedisURI.builder().withHost("127.0.0.1").withPort(redis.port())
                .withSsl(true).withVerifyPeer(SslVerifyMode.NONE).withTimeout(Duration.ofSeconds(5)).build())) {
            String lockKey = new RedisKeys("tls", false).lockKey("tls-wake");
            Eventually.until("the waiter queued for the lock", Duration.ofSeconds(10),
                    () -> raw.sync().hkeys(lockKey).stream().anyMatch(field -> field.startsWith("q:")));
        }
        held.release();
        Lock taken = waiting.get(5, TimeUnit.SECONDS);
        assertThat(taken.token()).isGreaterThan(held.token());
        taken.release();
    }

    @Test
    void theServerCertificateIsVerifiedUnlessVerifyPeerSaysOtherwise() {
        // rediss:// verifies by default (verifyPeer=FULL); the test CA is in no trust store.
        String uri = "rediss://127.0.0.1:" + redis.port() + "?connectTimeout=2s&timeout=2s";
        long start = System.nanoTime();
        assertThatThrownBy(() -> RedisLockBackend.open(uri)).isInstanceOf(LockBackendException.class)
                .hasMessageContaining("127.0.0.1:" + redis.port())
                .hasMessageContaining("SSLHandshakeException");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4).plus(MARGIN));
    }

    @Test
    void aPlainClientOnTheTlsPortFailsWithinItsTimeout() {
        String uri = "redis://127.0.0.1:" + redis.port() + "?connectTimeout=1s&timeout=1s";
        long start = System.nanoTime();
        assertThatThrownBy(() -> RedisLockBackend.open(uri)).isInstanceOf(LockBackendException.class)
                .hasMessageContaining("Cannot connect to " + uri);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
    }

    /** A CA and a server certificate for 127.0.0.1 signed by it, valid for a day. */
    private static void makeCertificates(Path dir) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\n", StandardCharsets.UTF_8);
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=distlock test CA",
                "-keyout", "ca.key", "-out", "ca.crt");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                "-keyout", "server.key", "-out", "server.csr");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-extfile", "server.ext", "-out", "server.crt");
    }

    private static void openssl(Path dir, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("openssl is needed to make the test certificates: "
                    + "install it with: apt-get install -y openssl", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static SSLContext sslContextTrusting(Path caCertificate) throws IOException, GeneralSecurityException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(caCertificate)) {
            trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    /** Ready once a TLS handshake that verifies against the test CA succeeds and PING answers. */
    private static boolean answersPingOverTls(String host, int port) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(host, port), 200);
            plain.setSoTimeout(1000);
            try (SSLSocket socket = (SSLSocket) trustingTheTestCa.getSocketFactory().createSocket(plain, host, port, true)) {
                return RedisServers.pingReply(socket).equals("+PONG");
            }
        }
    }
}
