package io.distlock.redis;

import io.distlock.testkit.Eventually;
import io.distlock.testkit.server.RedisServers;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockBackends;
import io.distlock.LockInfo;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.LockBackend;
import io.distlock.testkit.RecordingEvents;
import io.distlock.testkit.server.ServerProcess;
import io.lettuce.core.ScanArgs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What is specific to Redis: key layout, scripts, connections, subscriptions, WAIT. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisBackendTest {
    private static ServerProcess redis;
    private static RawRedis raw;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        // KEYS is disabled, as careful operators do: list() must page with SCAN.
        redis = RedisServers.start("--rename-command", "KEYS", "");
        raw = new RawRedis(redis.port());
    }

    @AfterAll
    static void stopRedis() {
        if (raw != null) {
            raw.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        toClose.clear();
    }

    private String uri(String namespace) {
        return "redis://127.0.0.1:" + redis.port() + "?namespace=" + namespace + "&timeout=2s";
    }

    private LockManager manager(String namespace) {
        LockManager manager = LockManager.builder(RedisLockBackend.open(uri(namespace))).build();
        toClose.add(manager);
        return manager;
    }

    @Test
    void namespacesThatArePrefixesOfEachOtherNeverShareAKey() {
        // Contract 7.2: "app" with "lock:x" and "app:lock" with "x" were once the same key, and
        // list in "app" read "app:lock"'s token counter (WRONGTYPE).
        LockManager app = manager("app");
        LockManager appLock = manager("app:lock");
        try (Lock inApp = app.acquire("lock:x", LockOptions.tryOnce());
             Lock inAppLock = appLock.acquire("x", LockOptions.tryOnce())) {
            assertThat(inApp.isHeld()).isTrue();
            assertThat(inAppLock.isHeld()).isTrue();
            assertThat(app.list("")).extracting(LockInfo::name).containsExactly("lock:x");
            assertThat(appLock.list("")).extracting(LockInfo::name).containsExactly("x");
            assertThat(app.inspect("lock:x").orElseThrow().token()).isEqualTo(inApp.token());
        }
    }

    @Test
    void lockIsAHashWithHolderAndLeaseAndOneCounterPerNamespace() {
        LockManager locks = manager("layout");
        try (Lock lock = locks.acquire("orders:42", LockOptions.builder().lease(Duration.ofSeconds(5)).build())) {
            Map<String, String> hash = raw.sync().hgetall("layout/lock:orders:42");
            assertThat(hash).containsOnlyKeys("owner", "token", "holder")
                    .containsEntry("token", Long.toString(lock.token()));
            // "<acquired at, epoch ns> <pid> <host> <thread>"
            assertThat(hash.get("holder")).endsWith(" " + ProcessHandle.current().pid() + " "
                    + locks.inspect("orders:42").orElseThrow().host() + " " + Thread.currentThread().getName());
            assertThat(raw.sync().pttl("layout/lock:orders:42")).isBetween(4_000L, 5_000L);
            assertThat(raw.sync().get("layout/token")).isEqualTo(Long.toString(lock.token()));
        }
        for (int i = 0; i < 20; i++) {
            locks.acquire("name-" + i).release();
        }
        // Released names leave nothing behind: only the namespace's one counter remains.
        assertThat(raw.sync().scan(ScanArgs.Builder.matches("layout/*").limit(1000)).getKeys())
                .containsExactly("layout/token");
    }

    @Test
    void namesThatAreNotWellFormedUtf16AreRefused_notMappedOntoQuestionMark() {
        LockManager locks = manager("surrogates");
        try (Lock q = locks.acquire("?", LockOptions.tryOnce())) {
            assertThatThrownBy(() -> locks.tryAcquire("\uD800")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("index 0");
            assertThat(locks.list("")).extracting(LockInfo::name).containsExactly("?");
            assertThat(q.isHeld()).isTrue();
        }
        assertThat(locks.list("")).isEmpty();
    }

    @Test
    void listScansWithPrefixAndTreatsGlobCharactersLiterally() {
        LockManager locks = manager("listing");
        List<Lock> held = new ArrayList<>();
        for (String name : List.of("job:*", "job:[a]", "job:a", "job?x", "jobs", "other", "job:\\")) {
            held.add(locks.acquire(name, LockOptions.tryOnce()));
        }
        assertThat(locks.list("job:")).extracting(LockInfo::name).containsExactly("job:*", "job:[a]", "job:\\", "job:a");
        assertThat(locks.list("job:*")).extracting(LockInfo::name).containsExactly("job:*");
        assertThat(locks.list("job?")).extracting(LockInfo::name).containsExactly("job?x");
        assertThat(locks.list("")).hasSize(7);
        held.forEach(Lock::release);
        assertThat(locks.list("")).isEmpty();
    }

    @Test
    void scriptsSurviveAScriptFlush() {
        LockManager locks = manager("noscript");
        locks.acquire("before").release();
        raw.sync().scriptFlush();
        try (Lock lock = locks.acquire("after", LockOptions.tryOnce())) {
            raw.sync().scriptFlush();
            lock.extend(Duration.ofSeconds(5));
            raw.sync().scriptFlush();
            assertThat(locks.inspect("after")).isPresent();
            raw.sync().scriptFlush();
            assertThat(lock.release()).isTrue();
        }
        assertThat(raw.sync().scriptExists(RedisScript.ACQUIRE.sha, RedisScript.RELEASE.sha)).containsExactly(false, true);
    }

    @Test
    void oneManagerUsesOneCommandConnectionAndOneSubscription() {
        String before = raw.sync().clientList();
        long clientsBefore = before.lines().count();
        LockManager first = manager("connections");
        LockManager second = manager("connections");
        List<Lock> held = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            held.add((i % 2 == 0 ? first : second).acquire("c" + i));
        }
        held.forEach(Lock::release);
        assertThat(raw.sync().clientList().lines().count() - clientsBefore).isEqualTo(4);
        assertThat(raw.sync().pubsubNumsub("connections/released")).containsEntry("connections/released", 2L);
    }

    @Test
    void releaseAnnouncesOnlyWhenSomeoneWaitedAndForceReleaseAlways() {
        RecordingEvents heard = new RecordingEvents();
        LockBackend backend = RedisLockBackend.open(uri("announce"));
        toClose.add(backend);
        backend.start(heard);
        LockManager locks = manager("announce");
        locks.acquire("uncontended").release();
        Lock contended = locks.acquire("contended");
        // The listening backend finds it busy, so it queues, and the release names it as the next.
        assertThat(backend.tryAcquire(new AcquireRequest("contended", "listener", Duration.ofSeconds(5),
                "host", 1, "t", Instant.now())).isAcquired()).isFalse();
        contended.release();
        locks.acquire("forced");
        assertThat(locks.forceRelease("forced")).isTrue();
        assertThat(locks.forceRelease("forced")).isFalse();
        Eventually.until("two releases heard", Duration.ofSeconds(5), () -> heard.released.size() >= 2);
        // Messages on one connection arrive in order: had the uncontended release published, it came first.
        assertThat(heard.released).containsExactly("contended", "forced");
    }

    @Test
    void aTryOnceThatFindsTheLockBusyLearnsTheHolderFromTheSameRoundTrip() {
        LockBackend backend = RedisLockBackend.open(uri("busy"));
        toClose.add(backend);
        backend.start(new RecordingEvents());
        LockManager locks = manager("busy");
        try (Lock held = locks.acquire("taken", LockOptions.builder().lease(Duration.ofSeconds(5)).build())) {
            long commandsBefore = scriptCalls();
            AcquireResult busy = backend.tryAcquire(new AcquireRequest("taken", "try-once", Duration.ofSeconds(5),
                    "host", 1, "t", Instant.now(), false, AcquireRequest.DEFAULT_RETRY_INTERVAL));
            assertThat(scriptCalls() - commandsBefore).as("one script call").isEqualTo(1);
            assertThat(busy.isAcquired()).isFalse();
            LockInfo holder = busy.holder().orElseThrow();
            assertThat(holder).usingRecursiveComparison().ignoringFields("expiresAt")
                    .isEqualTo(locks.inspect("taken").orElseThrow());
            assertThat(holder.token()).isEqualTo(held.token());
            assertThat(holder.thread()).isEqualTo(Thread.currentThread().getName());
            assertThat(holder.expiresAt()).isBetween(Instant.now(), Instant.now().plusSeconds(5));
            assertThat(raw.sync().hkeys("busy/lock:taken")).as("a try-once does not queue")
                    .containsOnly("owner", "token", "holder");
        }
        // Free, the same call takes the lock as before.
        AcquireResult free = backend.tryAcquire(new AcquireRequest("taken", "try-once", Duration.ofSeconds(5),
                "host", 1, "t", Instant.now(), false, AcquireRequest.DEFAULT_RETRY_INTERVAL));
        assertThat(free.isAcquired()).isTrue();
        assertThat(free.holder()).isEmpty();
        assertThat(backend.release("taken", "try-once")).isTrue();
    }

    /** How many EVALSHA and EVAL calls the server has run so far. */
    private static long scriptCalls() {
        long calls = 0;
        for (String line : raw.sync().info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
                String count = line.substring(line.indexOf("calls=") + 6);
                calls += Long.parseLong(count.substring(0, count.indexOf(',')));
            }
        }
        return calls;
    }

    @Test
    void waitForReplicasFailsAndLeavesNothingBehindWithoutReplicas() {
        LockBackend backend = RedisLockBackend.builder(uri("wait")).replicas(1, Duration.ofMillis(200)).build();
        LockManager locks = LockManager.builder(backend).build();
        toClose.add(locks);
        long start = System.nanoTime();
        assertThatThrownBy(() -> locks.acquire("replicated"))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("only 0 of the required 1 replica(s)")
                .hasMessageContaining("released again");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(locks.inspect("replicated")).isEmpty();
    }

    @Test
    void waitForReplicasSucceedsWithAReplica() throws Exception {
        // Redis 7 delays a diskless full sync by 5 s to batch replicas; one replica needs no batching.
        raw.sync().configSet("repl-diskless-sync-delay", "0");
        try (ServerProcess replica = RedisServers.start("--replicaof", "127.0.0.1", String.valueOf(redis.port()));
             RawRedis replicaRaw = new RawRedis(replica.port())) {
            Eventually.until("the replica is linked to its primary", Duration.ofSeconds(20),
                    () -> replicaRaw.sync().info("replication").contains("master_link_status:up"));
            LockManager locks = LockManager.builder(RedisLockBackend.open(uri("wait") + "&replicas=1&replicaTimeout=1s"))
                    .build();
            toClose.add(locks);
            try (Lock lock = locks.acquire("replicated")) {
                assertThat(replicaRaw.sync().hget("wait/lock:replicated", "token")).isEqualTo(Long.toString(lock.token()));
            }
        }
    }

    @Test
    void openedByUriThroughTheProvider() {
        try (LockBackend backend = LockBackends.open("redis://127.0.0.1:" + redis.port() + "?namespace=p")) {
            assertThat(backend).isInstanceOf(RedisLockBackend.class);
            assertThat(backend.describe()).isEqualTo("redis://127.0.0.1:" + redis.port() + "?namespace=p");
        }
        assertThat(LockBackends.knownSchemes()).contains("redis", "rediss", "redis-sentinel", "rediss-sentinel");
    }

    @Test
    void listWorksWithKeysDisabled() {
        assertThatThrownBy(() -> raw.sync().keys("*")).hasMessageContaining("unknown command");
        LockManager locks = manager("scan");
        try (Lock lock = locks.acquire("a")) {
            assertThat(locks.list("a")).extracting(LockInfo::token).containsExactly(lock.token());
        }
    }
}
