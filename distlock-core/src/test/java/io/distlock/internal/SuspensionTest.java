package io.distlock.internal;

import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockListener;
import io.distlock.LockLostException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.memory.InMemoryLockBackend;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.ConnectionUnavailableException;
import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.LockBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.distlock.internal.Polling.until;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Contract 6.4 in the engine: a dropped connection suspends held locks instead of losing them;
 * the connection back restores those the backend still confirms; a lock is lost only when the
 * backend says so or its lease runs out while suspended. Also: waiting acquisitions ride out a
 * reconnect, and extend and auto-renewal are serialized per lock (contract 3.3).
 */
class SuspensionTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final List<LockManager> managers = new ArrayList<>();
    private final InMemoryLockBackend store = InMemoryLockBackend.create();

    @AfterEach
    void closeManagers() {
        managers.forEach(LockManager::close);
    }

    @Test
    void aDroppedConnectionSuspendsAndItsReturnRestoresWithoutCallingTheLostListener() {
        Link link = new Link(store);
        Events events = new Events();
        LockManager locks = manager(link, events);
        AtomicInteger lostCalls = new AtomicInteger();
        Lock lock = locks.acquire("a", LockOptions.builder().onLost((l, why) -> lostCalls.incrementAndGet()).build());

        link.drop();
        assertThat(lock.isHeld()).as("suspended at once").isFalse();
        assertThat(events.log).containsExactly("suspended a");

        link.restore();
        until("restored, and the listener told", () -> lock.isHeld() && events.log.contains("restored a"));
        assertThat(events.log).containsExactly("suspended a", "restored a");
        assertThat(lostCalls).hasValue(0);
        assertThat(lock.release()).isTrue();
    }

    @Test
    void aLockTakenOverWhileSuspendedIsLostOnceWhenTheConnectionReturns() throws Exception {
        Link link = new Link(store);
        Events events = new Events();
        LockManager locks = manager(link, events);
        CountDownLatch lost = new CountDownLatch(1);
        AtomicInteger lostCalls = new AtomicInteger();
        Lock lock = locks.acquire("b", LockOptions.builder().onLost((l, why) -> {
            lostCalls.incrementAndGet();
            lost.countDown();
        }).build());

        link.drop();
        assertThat(store.forceRelease("b")).isTrue(); // as if the server restarted without persistence
        link.restore();

        assertThat(lost.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(lostCalls).hasValue(1);
        assertThat(events.log).containsExactly("suspended b", "lost b");
        assertThatThrownBy(() -> lock.extend(Duration.ofSeconds(5))).isInstanceOf(LockLostException.class);
        assertThat(lock.release()).as("releasing a lost lock reports it").isFalse();
    }

    @Test
    void aLeaseThatRunsOutWhileSuspendedIsLost() throws Exception {
        Link link = new Link(store);
        Events events = new Events();
        LockManager locks = manager(link, events);
        CountDownLatch lost = new CountDownLatch(1);
        Lock lock = locks.acquire("c", LockOptions.builder().lease(Duration.ofMillis(300))
                .onLost((l, why) -> lost.countDown()).build());

        link.drop();

        assertThat(lost.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("lost at lease end").isTrue();
        link.restore();
        assertThat(lock.isHeld()).isFalse();
        assertThat(events.log).containsExactly("suspended c", "lost c");
    }

    @Test
    void anAutoRenewedLockIsRenewedOnRestoreAndKeepsRenewing() {
        Link link = new Link(store);
        Events events = new Events();
        LockManager locks = manager(link, events);
        Lock lock = locks.acquire("d", LockOptions.builder().lease(Duration.ofMillis(900)).autoRenew(true).build());

        link.drop();
        int extendsBefore = link.extensions.get();
        link.restore();
        until("restored", lock::isHeld);
        assertThat(link.extensions.get()).as("the restore renewed the lease").isGreaterThan(extendsBefore);
        int afterRestore = link.extensions.get();
        until("renewing again after the restore", () -> link.extensions.get() >= afterRestore + 2);
        assertThat(lock.isHeld()).isTrue();
        assertThat(events.log).containsExactly("suspended d", "restored d");
    }

    @Test
    void aRenewalWithoutAnAnswerSuspendsAndARenewalAnsweredLaterRestores() {
        Link link = new Link(store);
        Events events = new Events();
        LockManager locks = manager(link, events);
        Lock lock = locks.acquire("e", LockOptions.builder().lease(Duration.ofMillis(900)).autoRenew(true).build());
        // The connection is never reported down: the backend just stops answering (a paused server).
        link.down = true;

        until("suspended by a renewal that got no answer", () -> events.log.contains("suspended e"));
        assertThat(lock.isHeld()).isFalse();
        link.down = false;
        until("restored by a later check, and the listener told", () -> lock.isHeld() && events.log.contains("restored e"));
        assertThat(events.log).containsExactly("suspended e", "restored e");
    }

    @Test
    void aWaitingAcquisitionRidesOutAReconnectButATryOnceFailsAtOnce() throws Exception {
        Link link = new Link(store);
        LockManager holderSide = manager(new Shared(store), new Events());
        Lock held = holderSide.acquire("f");
        LockManager locks = manager(link, new Events());

        link.drop();
        assertThatThrownBy(() -> locks.tryAcquire("f")).isInstanceOf(LockBackendException.class);
        CompletableFuture<Lock> waiter = CompletableFuture.supplyAsync(() -> locks.acquire("f",
                LockOptions.builder().timeout(PATIENCE).retryInterval(Duration.ofMillis(20)).build()));
        until("the waiter has tried while the connection was down", () -> link.failedCalls.get() >= 3);
        link.restore();
        held.release();

        Lock got = waiter.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got.isHeld()).isTrue();
        got.release();
    }

    @Test
    void aFailureThatSaysTheConnectionIsDownIsRiddenOutBeforeTheBackendReportsTheDrop() throws Exception {
        Link link = new Link(store);
        LockManager holderSide = manager(new Shared(store), new Events());
        Lock held = holderSide.acquire("h");
        LockManager locks = manager(link, new Events());

        link.dropUnreported(true);
        assertThatThrownBy(() -> locks.tryAcquire("h")).isInstanceOf(ConnectionUnavailableException.class);
        CompletableFuture<Lock> waiter = CompletableFuture.supplyAsync(() -> locks.acquire("h",
                LockOptions.builder().timeout(PATIENCE).retryInterval(Duration.ofMillis(20)).build()));
        until("the waiter has tried while the connection was down", () -> link.failedCalls.get() >= 4);
        link.healUnreported();
        held.release();

        Lock got = waiter.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got.isHeld()).isTrue();
        got.release();
    }

    @Test
    void anAttemptInFlightWhenTheConnectionDroppedIsRiddenOutThoughItFailsAfterTheReconnect() throws Exception {
        Link link = new Link(store);
        LockManager holderSide = manager(new Shared(store), new Events());
        Lock held = holderSide.acquire("j");
        LockManager locks = manager(link, new Events());
        CountDownLatch inFlight = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        link.stallNextAcquire(inFlight, answer);

        CompletableFuture<Lock> waiter = CompletableFuture.supplyAsync(() -> locks.acquire("j",
                LockOptions.builder().timeout(PATIENCE).retryInterval(Duration.ofMillis(20)).build()));
        await(inFlight);
        // The command's connection drops and comes back while it is under way; its failure (a
        // timeout) arrives only after the reconnect, with the connection believed up again.
        link.drop();
        link.restore();
        held.release();
        answer.countDown();

        Lock got = waiter.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got.isHeld()).isTrue();
        got.release();
    }

    @Test
    void anyOtherFailureWithTheConnectionBelievedUpEndsAWaitAtOnce() {
        Link link = new Link(store);
        LockManager holderSide = manager(new Shared(store), new Events());
        holderSide.acquire("i");
        LockManager locks = manager(link, new Events());

        link.dropUnreported(false);
        assertThatThrownBy(() -> locks.acquire("i", LockOptions.builder().timeout(PATIENCE)
                .retryInterval(Duration.ofMillis(20)).build()))
                .isInstanceOf(LockBackendException.class)
                .isNotInstanceOf(ConnectionUnavailableException.class)
                .hasMessageContaining("Currently not connected");
        assertThat(link.failedCalls).as("one attempt and its undo (a release by owner id), no retry").hasValue(2);
    }

    @Test
    void aWaitWholeDuringWhichTheConnectionStaysDownEndsInABackendException() {
        Link link = new Link(store);
        LockManager locks = manager(link, new Events());
        link.drop();

        assertThatThrownBy(() -> locks.acquire("g", LockOptions.builder().timeout(Duration.ofMillis(200))
                .retryInterval(Duration.ofMillis(20)).build()))
                .isInstanceOf(LockBackendException.class)
                .hasMessageContaining("'g'")
                .hasMessageContaining("connection was down for the whole wait");
    }

    @Test
    void anExtendAndARenewalOfOneLockNeverOverlapOnTheBackend() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        CountDownLatch renewalInside = new CountDownLatch(1);
        CountDownLatch letRenewalGo = new CountDownLatch(1);
        LockBackend slowExtends = new Shared(store) {
            @Override
            public boolean extend(String name, String ownerId, Duration lease) {
                mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                try {
                    if (Thread.currentThread().getName().equals("distlock-renewal")) {
                        renewalInside.countDown();
                        await(letRenewalGo);
                    }
                    return delegate.extend(name, ownerId, lease);
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        };
        LockManager locks = manager(slowExtends, new Events());
        Lock lock = locks.acquire("h", LockOptions.builder().lease(Duration.ofMillis(600)).autoRenew(true).build());
        await(renewalInside);

        CompletableFuture<Void> userExtend = CompletableFuture.runAsync(() -> lock.extend(Duration.ofMinutes(5)));
        until("the user's extend waits for the renewal in flight", () -> !userExtend.isDone() && inFlight.get() == 1);
        letRenewalGo.countDown();
        userExtend.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(mostInFlight).as("extends of one lock at once on the backend").hasValue(1);
        assertThat(lock.expiresAt()).as("the later extend's term is the holder's view")
                .isAfter(java.time.Instant.now().plus(Duration.ofMinutes(4)));
    }

    // ---------------------------------------------------------------- helpers

    private LockManager manager(LockBackend backend, LockListener listener) {
        LockManager manager = LockManager.builder(backend).listener(listener).build();
        managers.add(manager);
        return manager;
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Records the listener's connection-related events, as "event name". */
    private static final class Events implements LockListener {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void suspended(String name, long token, Throwable cause) {
            log.add("suspended " + name);
        }

        @Override
        public void restored(String name, long token) {
            log.add("restored " + name);
        }

        @Override
        public void lost(String name, long token, Throwable cause) {
            log.add("lost " + name);
        }
    }

    /** One store shared by several managers, as processes share a server: closing one keeps it. */
    private static class Shared extends ForwardingLockBackend {
        Shared(LockBackend store) {
            super(store);
        }

        @Override
        public void close() {
        }
    }

    /** A connection that the test drops and restores: while down, every call fails, as a client's does. */
    private static final class Link extends Shared {
        final AtomicInteger extensions = new AtomicInteger();
        final AtomicInteger failedCalls = new AtomicInteger();
        volatile boolean down;
        private volatile BackendEvents events;

        Link(LockBackend store) {
            super(store);
        }

        /** What the client's own failure event will say, a little later than the failed calls. */
        volatile boolean failuresSayConnectionDown;

        void drop() {
            down = true;
            events.connectionLost(new LockBackendException("connection reset by the test"));
        }

        /** Down, but the backend has not reported it (yet): only the failures themselves tell. */
        void dropUnreported(boolean failuresSayConnectionDown) {
            this.failuresSayConnectionDown = failuresSayConnectionDown;
            down = true;
        }

        void healUnreported() {
            down = false;
        }

        private volatile CountDownLatch stallSignal;
        private volatile CountDownLatch stallRelease;

        /** The next acquire signals {@code inFlight}, waits for {@code answer}, then fails as a timed-out command does. */
        void stallNextAcquire(CountDownLatch inFlight, CountDownLatch answer) {
            stallRelease = answer;
            stallSignal = inFlight;
        }

        void restore() {
            down = false;
            events.connectionRestored();
        }

        private void answerOrFail() {
            if (down) {
                failedCalls.incrementAndGet();
                throw failuresSayConnectionDown ? new ConnectionUnavailableException("ConnectionLoss")
                        : new LockBackendException("Currently not connected");
            }
        }

        @Override
        public void start(BackendEvents events) {
            this.events = events;
        }

        @Override
        public AcquireResult tryAcquire(AcquireRequest request) {
            CountDownLatch stalled = stallSignal;
            if (stalled != null) {
                stallSignal = null;
                stalled.countDown();
                await(stallRelease);
                throw new LockBackendException("did not answer acquire within PT10S (the timeout parameter)");
            }
            answerOrFail();
            return delegate.tryAcquire(request);
        }

        @Override
        public boolean release(String name, String ownerId) {
            answerOrFail();
            return delegate.release(name, ownerId);
        }

        @Override
        public boolean extend(String name, String ownerId, Duration lease) {
            answerOrFail();
            extensions.incrementAndGet();
            return delegate.extend(name, ownerId, lease);
        }

        @Override
        public java.util.Optional<io.distlock.LockInfo> inspect(String name) {
            answerOrFail();
            return delegate.inspect(name);
        }
    }
}
