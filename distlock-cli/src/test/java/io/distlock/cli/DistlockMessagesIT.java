package io.distlock.cli;

import io.distlock.cli.Launcher.Finished;
import io.distlock.cli.Launcher.Running;
import io.distlock.testkit.server.RedisServers;
import io.distlock.testkit.server.ServerProcess;
import io.distlock.testkit.server.TestBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 23, one by one, on real servers: each common mistake answered by one stderr line that says
 * what to do, an operation the backend cannot do answered as such (never "internal error"), and a
 * force-release reported to the old holder as a force-release.
 */
@Timeout(180)
class DistlockMessagesIT {
    private static final String REDIS_PASSWORD = "messages-s3cret";
    private static ServerProcess redis;
    private static ServerProcess memcached;
    private static ServerProcess postgres;

    @TempDir
    Path temp;

    @BeforeAll
    static void startServers() {
        redis = RedisServers.start("--requirepass", REDIS_PASSWORD);
        memcached = TestBackend.MEMCACHED.start();
        postgres = TestBackend.POSTGRES.start();
    }

    @AfterAll
    static void stopServers() {
        if (redis != null) {
            redis.close();
        }
        if (memcached != null) {
            memcached.close();
        }
        if (postgres != null) {
            TestBackend.POSTGRES.stop(postgres);
            postgres.close();
        }
    }

    private static String at(ServerProcess server) {
        return server.host() + ":" + server.port();
    }

    private Finished distlock(String backend, Map<String, String> env, String... args) throws IOException {
        return new Launcher(temp, backend, env).run(args);
    }

    /** Exit 69 and one stderr line that starts as every failure does and contains {@code fragments}. */
    private static void assertOneLine(Finished done, int status, String... fragments) {
        assertThat(done.status()).as("%s", done).isEqualTo(status);
        assertThat(done.errLines()).as("%s", done).hasSize(1);
        assertThat(done.err()).as("%s", done).startsWith("distlock: ").contains(fragments)
                .doesNotContain("Exception", "\tat ");
    }

    @Test
    void noRedisPasswordNamesTheVariable_andAWrongOneIsNeverShown() throws IOException {
        String uri = TestBackend.REDIS.uri(redis);
        assertOneLine(distlock(uri, Map.of(), "status", "x"), 69, "the server wants a password (NOAUTH) and none was "
                + "given: set DISTLOCK_REDIS_PASSWORD");
        Finished wrong = distlock(uri, Map.of("DISTLOCK_REDIS_PASSWORD", "not-" + REDIS_PASSWORD), "status", "x");
        assertOneLine(wrong, 69, "refused the user or password (WRONGPASS): check DISTLOCK_REDIS_PASSWORD");
        assertThat(wrong.err()).doesNotContain(REDIS_PASSWORD);
    }

    @Test
    void redisUriAtAMemcachedPortSaysToCheckThePort() throws IOException {
        assertOneLine(distlock(TestBackend.REDIS.uri(memcached), Map.of(), "run", "--wait", "0", "--", "true"), 69,
                "does not speak the Redis protocol (its answer began with 'E', as memcached's ERROR does): check the "
                        + "port in the URI");
    }

    /**
     * Was 9.65 s with {@code --wait 0}, saying "did not answer add within 2000 ms": every call, the
     * engine's undo and xmemcached's shutdown (5 s of waiting for binary 'quit' to close the
     * connection) waited out a server that never answers the binary protocol.
     */
    @Test
    void memcachedUriAtARedisPortSaysItIsNotMemcached_afterOneTimeout() throws IOException {
        long start = System.nanoTime();
        Finished done = distlock(TestBackend.MEMCACHED.uri(redis, Map.of("timeout", "1s")), Map.of(), "run", "--wait", "0", "--", "true");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertOneLine(done, 69, "the server at " + at(redis) + " is not memcached",
                "(a Redis server answers so); check the port in the URI");
        assertThat(took).as("one 1 s timeout, a JVM start and a probe; no 5 s shutdown").isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void listOnMemcachedIsAUsageErrorNamingTheLimit() throws IOException {
        assertOneLine(distlock(TestBackend.MEMCACHED.uri(memcached), Map.of(), "list"), 64,
                "list is not supported by memcached://", "memcached cannot enumerate its keys",
                "distlock status NAME");
    }

    @Test
    void serversThatAreDownSayWhatToStart() throws IOException {
        int nobody = ServerProcess.freePort();
        assertOneLine(distlock(TestBackend.REDIS.uri(nobody, Map.of()), Map.of(), "status", "x"), 69,
                "Connection refused", "start the Redis server, or correct the host and port in the URI");
        assertOneLine(distlock(TestBackend.MEMCACHED.uri(nobody, Map.of()), Map.of(), "status", "x"), 69,
                "nothing accepts connections at 127.0.0.1:" + nobody + " (Connection refused): start memcached there");
        assertOneLine(distlock(TestBackend.ZOOKEEPER.uri(nobody, Map.of("connectTimeout", "1s")), Map.of(), "status", "x"), 69,
                "nothing accepts connections at 127.0.0.1:" + nobody + " (Connection refused): start ZooKeeper there");
        Finished pg = distlock(TestBackend.POSTGRES.uriWithoutPassword(nobody, Map.of("connectTimeout", "2s")),
                TestBackend.POSTGRES.passwordEnvironment(TestBackend.POSTGRES.password()), "status", "x");
        assertOneLine(pg, 69, "Connection to 127.0.0.1:" + nobody + " refused",
                "Check that the hostname and port are correct");
        assertThat(pg.err()).as("not HikariCP's pool state").doesNotContain("Connection is not available", "total=");
    }

    @Test
    void noPostgresPasswordNamesTheVariable() throws IOException {
        assertOneLine(distlock(TestBackend.POSTGRES.uriWithoutPassword(postgres.port(), Map.of()), Map.of(), "status", "x"), 69,
                "no password was provided", "set DISTLOCK_JDBC_PASSWORD");
    }

    /** Was "no ZooKeeper session within PT5S", then 25 s more while ZooKeeper's close waited for an answer. */
    @Test
    void zookeeperUriAtARedisPortSaysToCheckThePort_withinItsConnectTimeout() throws IOException {
        long start = System.nanoTime();
        Finished done = distlock(TestBackend.ZOOKEEPER.uri(redis, Map.of("connectTimeout", "1s")), Map.of(), "status", "x");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertOneLine(done, 69, at(redis) + " accepts connections but started no session: check that it is a "
                + "ZooKeeper client port");
        assertThat(took).isLessThan(Duration.ofSeconds(10));
    }

    /**
     * The JDBC README's H2 example: an embedded file is open in one process at a time, and the
     * second says how to share it; with AUTO_SERVER=TRUE the processes of a host share its locks.
     */
    @Test
    void anH2FileIsSharedByProcessesWithAutoServer_andWithoutItTheSecondIsToldHow() throws IOException {
        String file = "jdbc:h2:" + temp.resolve("h2/locks");
        holding(file, "report", () -> assertOneLine(distlock(file, Map.of(), "status", "report"), 69,
                "Database may be already in use", "add ;AUTO_SERVER=TRUE to the URL in every process that shares it"));
        String shared = file + ";AUTO_SERVER=TRUE";
        holding(shared, "report", () -> {
            Finished busy = distlock(shared, Map.of(), "run", "--name", "report", "--wait", "0", "--", "true");
            assertThat(busy.status()).as("%s", busy).isEqualTo(75);
            assertThat(distlock(shared, Map.of(), "status", "report").status()).as("held, seen by another process")
                    .isZero();
        });
    }

    private interface Check {
        void run() throws IOException;
    }

    private void holding(String backend, String name, Check check) throws IOException {
        Launcher distlock = new Launcher(temp, backend);
        Path ready = temp.resolve("ready-" + Math.abs(backend.hashCode()));
        Running holder = distlock.start("run", "--name", name, "--", "sh", "-c", "echo $$ > \"$0\"; read line",
                ready.toString());
        try {
            Launcher.awaitContent(ready);
            check.run();
            holder.tell("done");
            assertThat(holder.finish().status()).isZero();
        } finally {
            holder.kill();
        }
    }

    /**
     * Was: "lock 'x' had expired or could not be released; it ends with its lease", printed by the
     * old holder after {@code release --force}, when it had been force-released and was gone.
     */
    @Test
    void aForceReleaseBetweenRenewalsIsReportedToTheOldHolderWhenCmdEnds() throws IOException {
        Launcher distlock = new Launcher(temp, "file:" + temp.resolve("locks"));
        Path ready = temp.resolve("ready");
        Running holder = distlock.start("run", "--name", "nightly", "--expires", "5m", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line", ready.toString());
        try {
            Launcher.awaitContent(ready);
            assertThat(distlock.run("release", "--force", "nightly").out()).startsWith("released 'nightly'");
            holder.tell("done");
            Finished done = holder.finish();
            assertThat(done.status()).as("lost while CMD ran, found by the release: %s", done).isEqualTo(125);
            assertThat(done.errLines()).as("%s", done).hasSize(2);
            assertThat(done.errLines().get(0))
                    .startsWith("distlock: lost lock 'nightly' while CMD was running (found after CMD ended): ")
                    .contains("left by this host's clock, so it did not expire: it was force-released")
                    .doesNotContain("had expired or could not be released", "ends with its lease");
            assertThat(done.errLines().get(1))
                    .isEqualTo("distlock: CMD ended (status 0) after lock 'nightly' was lost while it ran; exiting 125");
        } finally {
            holder.kill();
        }
    }

    @Test
    void aForceReleaseFoundByARenewalIsReportedWhileCmdRuns() throws IOException {
        Launcher distlock = new Launcher(temp, "file:" + temp.resolve("locks"));
        Path ready = temp.resolve("ready");
        // Renewed every second: the renewal after the force-release finds it.
        Running holder = distlock.start("run", "--name", "nightly", "--expires", "3s", "--", "sh", "-c",
                "echo $$ > \"$0\"; read line", ready.toString());
        try {
            Launcher.awaitContent(ready);
            distlock.run("release", "--force", "nightly");
            Launcher.await("the holder's lost-lock line", () -> holder.errSoFar().contains("lost lock"));
            holder.tell("done");
            Finished done = holder.finish();
            assertThat(done.status()).as("%s", done).isEqualTo(125);
            assertThat(done.errLines()).as("%s", done).hasSize(2);
            assertThat(done.errLines().get(0))
                    .startsWith("distlock: lost lock 'nightly' while CMD was running: ")
                    .contains("could not be extended", "did not expire: it was force-released",
                            "CMD keeps running (--kill-on-lost would stop it)");
        } finally {
            holder.kill();
        }
    }
}
