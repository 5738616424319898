package io.distlock.redis;

import io.distlock.testkit.Eventually;
import io.distlock.testkit.server.RedisServers;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.HandOverResult;
import io.distlock.testkit.RecordingEvents;
import io.distlock.testkit.server.ServerProcess;
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
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-lock queue of waiting managers: a release hands the lock to the oldest manager still
 * waiting (a reservation only it can take, and a message naming only it), in FIFO order; stale
 * entries drop out; a reservation for a manager that gave up lapses on its own.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisHandOffTest {
    private static ServerProcess redis;
    private static RawRedis raw;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startRedis() {
        redis = RedisServers.start();
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

    /**
     * A queued manager keeps its place, and a turn stays reserved, this long in these tests, so a
     * slow test machine cannot make an entry stale or a reservation lapse between two steps; the
     * tests of pruning and lapsing set their own.
     */
    private static final Duration PATIENT = Duration.ofSeconds(30);

    /** Fixed windows for this manager's queue entries, or, with nulls, windows that follow its retry interval. */
    private static RedisLockBackend backend(Duration waiterFreshness, Duration reservation) {
        RedisLockBackend.Builder builder = RedisLockBackend.builder("redis://127.0.0.1:" + redis.port() + "?namespace=fair");
        return (waiterFreshness == null ? builder : builder.handOff(waiterFreshness, reservation)).build();
    }

    /** A backend used through the SPI, as the engine would, recording the release signals it passes on. */
    private final class Contender {
        final RedisLockBackend backend;
        final RecordingEvents events = new RecordingEvents();
        final List<String> woken = events.released;
        String ownerId;

        Contender() {
            this(PATIENT, PATIENT);
        }

        /** Its queue entries stay fresh for {@code waiterFreshness}, its turns are kept for {@code reservation}. */
        Contender(Duration waiterFreshness, Duration reservation) {
            backend = backend(waiterFreshness, reservation);
            toClose.add(backend);
            backend.start(events);
        }

        boolean tryAcquire(String name) {
            String attempt = UUID.randomUUID().toString();
            AcquireResult result = backend.tryAcquire(new AcquireRequest(name, attempt, Duration.ofSeconds(10), "host", 1,
                    "t", Instant.now()));
            if (result.isAcquired()) {
                ownerId = attempt;
            }
            return result.isAcquired();
        }

        boolean release(String name) {
            return backend.release(name, ownerId);
        }
    }

    private static Map<String, String> queueOf(String name) {
        return raw.sync().hgetall("fair/lock:" + name).entrySet().stream()
                .filter(e -> e.getKey().startsWith("q:"))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }

    /** The id a contender's busy try put into the queue: the one entry that was not there before. */
    private static String enqueue(Contender contender, String name) {
        Map<String, String> before = queueOf(name);
        assertThat(contender.tryAcquire(name)).as("busy").isFalse();
        List<String> added = queueOf(name).keySet().stream().filter(k -> !before.containsKey(k)).toList();
        assertThat(added).hasSize(1);
        return added.get(0).substring(2);
    }

    private static String reservedFor(String name) {
        return raw.sync().hget("fair/lock:" + name, "reserved");
    }

    @Test
    void releaseHandsTheLockToWaitingManagersInTheOrderTheyQueued() {
        Contender holder = new Contender();
        Contender first = new Contender();
        Contender second = new Contender();
        Contender third = new Contender();
        assertThat(holder.tryAcquire("fifo")).isTrue();
        String thirdId = enqueue(third, "fifo");
        String firstId = enqueue(first, "fifo");
        String secondId = enqueue(second, "fifo");
        assertThat(enqueue(holder, "fifo")).as("the holder's manager queues too when it tries again").isNotBlank();
        // Trying again keeps a manager's place: third stays ahead of first.
        assertThat(third.tryAcquire("fifo")).isFalse();
        assertThat(queueOf("fifo")).hasSize(4);

        assertThat(holder.release("fifo")).isTrue();
        assertThat(reservedFor("fifo")).isEqualTo(thirdId);
        assertThat(holder.tryAcquire("fifo")).as("the releasing manager cannot barge").isFalse();
        assertThat(first.tryAcquire("fifo")).as("nor anyone whose turn it is not").isFalse();
        assertThat(holder.backend.inspect("fifo")).as("a reservation is not a held lock").isEmpty();
        assertThat(holder.backend.list("fifo", 100).locks()).isEmpty();
        assertThat(third.tryAcquire("fifo")).isTrue();

        for (Contender refresh : List.of(first, second, holder)) {
            assertThat(refresh.tryAcquire("fifo")).isFalse();
        }
        assertThat(third.release("fifo")).isTrue();
        assertThat(reservedFor("fifo")).isEqualTo(firstId);
        assertThat(first.tryAcquire("fifo")).isTrue();
        assertThat(second.tryAcquire("fifo")).isFalse();
        assertThat(first.release("fifo")).isTrue();
        assertThat(reservedFor("fifo")).isEqualTo(secondId);
        assertThat(second.tryAcquire("fifo")).isTrue();
        assertThat(holder.tryAcquire("fifo")).isFalse();
        assertThat(second.release("fifo")).isTrue();
        assertThat(holder.tryAcquire("fifo")).as("the holder's turn came last").isTrue();
        assertThat(holder.release("fifo")).isTrue();
        assertThat(raw.sync().exists("fair/lock:fifo")).as("an empty queue leaves nothing behind").isZero();

        // Only the manager whose turn it was was woken, each once; the holder's last release, with
        // nobody queued, was not announced at all.
        Eventually.until("every turn was announced", Duration.ofSeconds(5), () -> third.woken.size() == 1
                && first.woken.size() == 1 && second.woken.size() == 1 && holder.woken.size() == 1);
        for (Contender named : List.of(third, first, second, holder)) {
            assertThat(named.woken).containsExactly("fifo");
        }
    }

    @Test
    void aReservationForAManagerThatGaveUpLapsesWithinTheReservation() {
        // The waiter's entry asks for 1 s rather than the default 100 ms, so the try right after the
        // release surely meets the reservation.
        Duration reservation = Duration.ofSeconds(1);
        Contender holder = new Contender();
        Contender gaveUp = new Contender(PATIENT, reservation);
        Contender later = new Contender();
        assertThat(holder.tryAcquire("abandoned")).isTrue();
        String gaveUpId = enqueue(gaveUp, "abandoned");
        long releasedAt = System.nanoTime();
        assertThat(holder.release("abandoned")).isTrue();
        assertThat(reservedFor("abandoned")).isEqualTo(gaveUpId);
        assertThat(raw.sync().pttl("fair/lock:abandoned"))
                .isBetween(1L, reservation.toMillis());
        assertThat(later.tryAcquire("abandoned")).isFalse();
        Eventually.until("the reservation lapsed", Duration.ofSeconds(5), () -> later.tryAcquire("abandoned"));
        assertThat(Duration.ofNanos(System.nanoTime() - releasedAt)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        assertThat(queueOf("abandoned")).as("the manager that gave up was dropped when its turn came").isEmpty();
        assertThat(later.release("abandoned")).isTrue();
        assertThat(raw.sync().exists("fair/lock:abandoned")).isZero();

        // A waiter at the default 50 ms retry interval asks for 100 ms (less, or gone, by the time this reads it).
        Duration defaultReservation = TurnTiming.reservation(AcquireRequest.DEFAULT_RETRY_INTERVAL);
        assertThat(defaultReservation).isEqualTo(Duration.ofMillis(100));
        assertThat(TurnTiming.reservation(Duration.ofMillis(5))).as("a faster poller keeps the default windows")
                .isEqualTo(defaultReservation);
        assertThat(TurnTiming.freshness(Duration.ofMillis(5))).isEqualTo(Duration.ofMillis(175));
        assertThat(TurnTiming.freshness(Duration.ofSeconds(1))).isEqualTo(Duration.ofMillis(3025));
        Contender gaveUpAtDefaults = new Contender(null, null);
        assertThat(holder.tryAcquire("abandoned")).isTrue();
        enqueue(gaveUpAtDefaults, "abandoned");
        assertThat(holder.release("abandoned")).isTrue();
        assertThat(raw.sync().pttl("fair/lock:abandoned")).isLessThanOrEqualTo(defaultReservation.toMillis());
        Eventually.until("the default reservation lapsed", Duration.ofSeconds(5), () -> later.tryAcquire("abandoned"));
        assertThat(later.release("abandoned")).isTrue();
    }

    @Test
    void staleWaitersArePrunedAndTheNextFreshOneGetsTheTurn() {
        // Each entry is judged by its own manager's window: the stale one's is 1 s here, long enough
        // that it cannot go stale between its try and the first check on a slow machine.
        Duration window = Duration.ofSeconds(1);
        Contender holder = new Contender();
        Contender stale = new Contender(window, PATIENT);
        Contender fresh = new Contender();
        assertThat(holder.tryAcquire("stale")).isTrue();
        String staleId = enqueue(stale, "stale");
        awaitServerTimePast(lastTry(staleId, "stale") + window.toMillis() + 5);
        String freshId = enqueue(fresh, "stale");
        assertThat(holder.release("stale")).isTrue();
        assertThat(reservedFor("stale")).isEqualTo(freshId);
        assertThat(queueOf("stale")).as("the stale entry was pruned").isEmpty();
        assertThat(fresh.tryAcquire("stale")).isTrue();
        assertThat(fresh.release("stale")).isTrue();

        // With only stale waiters, the release deletes the lock and wakes everyone instead.
        assertThat(holder.tryAcquire("stale")).isTrue();
        String onlyId = enqueue(stale, "stale");
        awaitServerTimePast(lastTry(onlyId, "stale") + window.toMillis() + 5);
        assertThat(holder.release("stale")).isTrue();
        assertThat(raw.sync().exists("fair/lock:stale")).isZero();
        Eventually.until("everyone was woken", Duration.ofSeconds(5),
                () -> stale.woken.contains("stale") && fresh.woken.size() == 2);
    }

    /**
     * The windows follow each waiter's own retry interval: a manager that polls every second (up
     * to 1.5 s with jitter) keeps its place behind the holder, and gets the lock before a manager
     * that queued after it and polls every 50 ms. With a fixed window of three default intervals
     * (150 ms), the slow manager's entry was stale at most releases and the fast one went first.
     */
    @Test
    void aManagerThatPollsSlowlyKeepsItsPlaceInTheQueue() throws Exception {
        String uri = "redis://127.0.0.1:" + redis.port() + "?namespace=fair";
        LockManager holding = LockManager.builder(RedisLockBackend.open(uri)).build();
        toClose.add(holding);
        LockManager slow = LockManager.builder(RedisLockBackend.open(uri)).defaultRetryInterval(Duration.ofSeconds(1))
                .build();
        toClose.add(slow);
        LockManager fast = LockManager.builder(RedisLockBackend.open(uri)).build();
        toClose.add(fast);
        Lock held = holding.acquire("slow-poll");
        List<String> order = new CopyOnWriteArrayList<>();

        CompletableFuture<Void> slowWaiter = takeInTurn(slow, "slow", order);
        String slowId = awaitNewEntry("slow-poll", Map.of());
        CompletableFuture<Void> fastWaiter = takeInTurn(fast, "fast", order);
        awaitNewEntry("slow-poll", Map.of("q:" + slowId, ""));
        // Release when the slow manager's last try is well past the old fixed window, and far inside its own.
        Eventually.until("the slow manager's last try is 300 ms old", Duration.ofSeconds(10), () -> {
            String entry = queueOf("slow-poll").get("q:" + slowId);
            return entry != null && serverMillis() - Long.parseLong(entry.split(" ")[1]) > 300;
        });
        held.release();

        slowWaiter.get(30, TimeUnit.SECONDS);
        fastWaiter.get(30, TimeUnit.SECONDS);
        assertThat(order).as("the manager that queued first went first").containsExactly("slow", "fast");
    }

    private static CompletableFuture<Void> takeInTurn(LockManager manager, String who, List<String> order) {
        return CompletableFuture.runAsync(() -> {
            try (Lock lock = manager.acquire("slow-poll", LockOptions.builder().timeout(Duration.ofSeconds(20)).build())) {
                order.add(who);
            }
        });
    }

    /** The id of the one queue entry of {@code name} that is not among {@code known}, once it appears. */
    private static String awaitNewEntry(String name, Map<String, String> known) {
        Eventually.until("a new manager queued for " + name, Duration.ofSeconds(10),
                () -> queueOf(name).keySet().stream().anyMatch(k -> !known.containsKey(k)));
        return queueOf(name).keySet().stream().filter(k -> !known.containsKey(k)).findFirst().orElseThrow().substring(2);
    }

    private static long lastTry(String managerId, String name) {
        return Long.parseLong(queueOf(name).get("q:" + managerId).split(" ")[1]);
    }

    private static long serverMillis() {
        List<String> time = raw.sync().time();
        return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
    }

    private static void awaitServerTimePast(long millis) {
        Eventually.until("the server's clock passed the freshness window", Duration.ofSeconds(5),
                () -> serverMillis() > millis);
    }

    @Test
    void forceReleaseClearsAReservationAndTheQueue() {
        Contender holder = new Contender();
        Contender waiter = new Contender();
        Contender other = new Contender();
        assertThat(holder.tryAcquire("forced")).isTrue();
        enqueue(waiter, "forced");
        assertThat(holder.release("forced")).isTrue();
        assertThat(reservedFor("forced")).isNotNull();
        assertThat(other.backend.forceRelease("forced")).as("nothing was held").isFalse();
        assertThat(raw.sync().exists("fair/lock:forced")).isZero();
        assertThat(other.tryAcquire("forced")).isTrue();
        enqueue(waiter, "forced");
        assertThat(holder.backend.forceRelease("forced")).isTrue();
        assertThat(raw.sync().exists("fair/lock:forced")).isZero();
    }

    @Test
    void throughTheEngineAWaitingManagerGetsTheLockBeforeTheReleasingOneTakesItBack() throws Exception {
        LockManager releasing = LockManager.builder(backend(PATIENT, PATIENT)).build();
        LockManager waiting = LockManager.builder(backend(PATIENT, PATIENT)).build();
        toClose.add(waiting);
        toClose.add(releasing);
        Lock held = releasing.acquire("engine");
        List<Long> tokens = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> waited = CompletableFuture.runAsync(() -> {
            try (Lock lock = waiting.acquire("engine", LockOptions.builder().timeout(Duration.ofSeconds(20)).build())) {
                tokens.add(lock.token());
            }
        });
        Eventually.until("the waiting manager queued", Duration.ofSeconds(10), () -> !queueOf("engine").isEmpty());
        held.release();
        Lock again = releasing.acquire("engine", LockOptions.builder().timeout(Duration.ofSeconds(20)).build());
        assertThat(tokens).as("the waiting manager had its turn before the releasing one took the lock back").hasSize(1);
        assertThat(again.token()).isGreaterThan(tokens.get(0));
        again.release();
        waited.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aTurnIsPublishedOnlyOnTheChannelOfTheManagerWhoseTurnItIs() {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create("redis://127.0.0.1:" + redis.port());
        toClose.add(() -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        var subscriber = client.connectPubSub();
        List<String> published = new CopyOnWriteArrayList<>();
        subscriber.addListener(new io.lettuce.core.pubsub.RedisPubSubAdapter<>() {
            @Override
            public void message(String pattern, String channel, String message) {
                published.add(channel + " " + message);
            }
        });
        subscriber.sync().psubscribe("fair/released*");
        Contender holder = new Contender();
        Contender first = new Contender();
        Contender second = new Contender();
        assertThat(holder.tryAcquire("turns")).isTrue();
        String firstId = enqueue(first, "turns");
        String secondId = enqueue(second, "turns");

        assertThat(holder.release("turns")).isTrue();
        Eventually.until("the first manager's turn is announced", Duration.ofSeconds(10),
                () -> first.woken.contains("turns"));
        assertThat(first.tryAcquire("turns")).isTrue();
        assertThat(first.release("turns")).isTrue();
        Eventually.until("the second manager's turn is announced", Duration.ofSeconds(10),
                () -> second.woken.contains("turns"));

        Eventually.until("both messages seen", Duration.ofSeconds(10), () -> published.size() >= 2);
        // Each turn went to one manager's own channel, none to the namespace's channel for everyone.
        assertThat(published).containsExactly("fair/released:" + firstId + " fair/lock:turns",
                "fair/released:" + secondId + " fair/lock:turns");
        assertThat(second.woken).containsExactly("turns");
        assertThat(second.tryAcquire("turns")).isTrue();
        assertThat(second.release("turns")).isTrue();
    }

    @Test
    void aCallerThatWillNotWaitDoesNotQueue() {
        Contender holder = new Contender();
        Contender other = new Contender();
        assertThat(holder.tryAcquire("no-wait")).isTrue();

        AcquireResult busy = other.backend.tryAcquire(new AcquireRequest("no-wait", "try-once", Duration.ofSeconds(10),
                "host", 1, "t", Instant.now(), false, AcquireRequest.DEFAULT_RETRY_INTERVAL));

        assertThat(busy.isAcquired()).isFalse();
        assertThat(queueOf("no-wait")).as("a try-once takes no place in the queue").isEmpty();
        // Through the engine: tryAcquire (wait 0) on a busy lock leaves no entry either.
        try (LockManager locks = LockManager.builder(backend(PATIENT, PATIENT)).build()) {
            assertThat(locks.tryAcquire("no-wait")).isEmpty();
        }
        assertThat(queueOf("no-wait")).isEmpty();
        assertThat(holder.release("no-wait")).isTrue();
        assertThat(raw.sync().exists("fair/lock:no-wait")).as("released to nobody, deleted").isZero();
    }

    // ---------------------------------------------------------------- hand-over within one manager

    private static AcquireRequest next(String name, String ownerId) {
        return new AcquireRequest(name, ownerId, Duration.ofSeconds(10), "host", 1, "next thread", Instant.now());
    }

    @Test
    void handOverPassesTheLockToTheNextOwnerWithANewTokenInOneCommand() {
        Contender holder = new Contender();
        assertThat(holder.tryAcquire("ho-plain")).isTrue();
        long before = holder.backend.inspect("ho-plain").orElseThrow().token();

        long token = holder.backend.handOver(holder.ownerId, next("ho-plain", "next-owner")).token();

        assertThat(token).isGreaterThan(before);
        var info = holder.backend.inspect("ho-plain").orElseThrow();
        assertThat(info.ownerId()).isEqualTo("next-owner");
        assertThat(info.thread()).isEqualTo("next thread");
        assertThat(info.token()).isEqualTo(token);
        assertThat(raw.sync().pttl("fair/lock:ho-plain")).isBetween(9_000L, 10_000L);
        assertThat(holder.release("ho-plain")).as("the old owner owns nothing now").isFalse();
        assertThat(holder.backend.release("ho-plain", "next-owner")).isTrue();
    }

    @Test
    void handOverByAnOwnerThatLostTheLockChangesNothing() {
        Contender holder = new Contender();
        assertThat(holder.tryAcquire("ho-lost")).isTrue();

        assertThat(holder.backend.handOver("not-the-owner", next("ho-lost", "next-owner")))
                .isEqualTo(HandOverResult.notOwned());
        assertThat(holder.backend.inspect("ho-lost").orElseThrow().ownerId()).isEqualTo(holder.ownerId);
        assertThat(holder.release("ho-lost")).isTrue();
    }

    @Test
    void handOverYieldsToAnotherManagerThatQueuedFirst() {
        Contender holder = new Contender();
        Contender other = new Contender();
        assertThat(holder.tryAcquire("ho-fifo")).isTrue();
        String otherId = enqueue(other, "ho-fifo");
        // A thread of the holder's own manager queues after the other manager.
        String holderId = enqueue(holder, "ho-fifo");

        HandOverResult outcome = holder.backend.handOver(holder.ownerId, next("ho-fifo", "next-owner"));

        assertThat(outcome).as("released to the other manager instead").isEqualTo(HandOverResult.releasedInstead());
        assertThat(reservedFor("ho-fifo")).isEqualTo(otherId);
        assertThat(queueOf("ho-fifo")).containsOnlyKeys("q:" + holderId);
        Eventually.until("the other manager is told its turn came", Duration.ofSeconds(10), () -> other.woken.contains("ho-fifo"));
        assertThat(other.tryAcquire("ho-fifo")).isTrue();
        assertThat(other.backend.forceRelease("ho-fifo")).isTrue();
    }

    @Test
    void handOverGoesAheadWhenTheReleasingManagerQueuedFirst() {
        Contender holder = new Contender();
        Contender other = new Contender();
        assertThat(holder.tryAcquire("ho-mine")).isTrue();
        // The holder's manager has a waiting thread, queued before the other manager.
        String holderId = enqueue(holder, "ho-mine");
        String otherId = enqueue(other, "ho-mine");

        long token = holder.backend.handOver(holder.ownerId, next("ho-mine", "next-owner")).token();

        assertThat(token).isPositive();
        assertThat(holder.backend.inspect("ho-mine").orElseThrow().ownerId()).isEqualTo("next-owner");
        assertThat(queueOf("ho-mine")).as("our turn is used up; the other manager is next")
                .containsOnlyKeys("q:" + otherId).doesNotContainKey("q:" + holderId);
        assertThat(holder.backend.forceRelease("ho-mine")).isTrue();
    }
}
