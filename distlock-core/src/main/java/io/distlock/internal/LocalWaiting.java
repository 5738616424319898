package io.distlock.internal;

import io.distlock.Ticker;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.HandOverResult;
import io.distlock.spi.LockBackend;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The threads of this JVM that wait, per name, and the hand-over of a released lock to the first
 * of them.
 *
 * <p><b>Waiting is coalesced per name.</b> Threads that wait for one name queue on that name's
 * {@link NameWaiters}, in arrival order; only the first asks the backend. A {@code NameWaiters}
 * exists only while someone waits: {@link #join} and {@link #leave} count its users inside
 * {@link ConcurrentHashMap#compute}, so nothing is retained per name after use.
 *
 * <p><b>Release signals.</b> Releases in this JVM and the backend's own notifications bump the
 * name's release counter and wake its turn holder. The engine-wide {@link #epoch()} counts every
 * signal of any name, so a thread that tried once before joining can tell whether a signal
 * arrived in between, when there was no {@code NameWaiters} yet to wake.
 *
 * <p><b>A hand-off inside one JVM is one round trip.</b> When the backend supports
 * {@link LockBackend#handOver}, a thread that releases a name another thread of this JVM waits for
 * claims the first waiter's ticket and asks the backend, in one atomic step, to pass the lock to a
 * request made from that ticket (its lease, its thread name, a fresh owner id), instead of a
 * release followed by the waiter's own try. Claim and withdrawal race on the ticket's state, so
 * exactly one side wins: a waiter leaving (deadline, interrupt, a lock it took itself, a closed
 * manager) either withdraws first, and the releaser falls back to a plain release, or finds its
 * ticket claimed and waits for the decision, giving back a lock that arrives after it stopped
 * wanting it. The releaser signals the release before it decides, so the new holder records a
 * release count that already includes it. The backend decides fairness between processes: a
 * hand-over that would let this JVM keep a lock another process queued for first releases it to
 * that process instead.
 */
final class LocalWaiting {
    private static final Logger log = LoggerFactory.getLogger(LockEngine.class);

    private final ConcurrentHashMap<String, NameWaiters> waiters = new ConcurrentHashMap<>();
    /** Counts every release signal of any name: lets a new waiter tell whether it missed one. */
    private final AtomicLong releaseEpoch = new AtomicLong();
    private final BackendCalls calls;
    private final Ticker ticker;
    private final WallClock wallClock;
    /** Whether a release may pass the lock straight to a waiting thread of this JVM. */
    private final boolean handsOver;

    LocalWaiting(BackendCalls calls, Ticker ticker, WallClock wallClock) {
        this.calls = calls;
        this.ticker = ticker;
        this.wallClock = wallClock;
        this.handsOver = calls.backend.supportsHandOver();
    }

    long epoch() {
        return releaseEpoch.get();
    }

    boolean anyoneWaitsFor(String name) {
        return waiters.containsKey(name);
    }

    /** How many threads of this JVM wait for {@code name} now (for messages). */
    int waitingFor(String name) {
        NameWaiters waiting = waiters.get(name);
        return waiting == null ? 0 : waiting.users();
    }

    NameWaiters join(String name) {
        return waiters.compute(name, (key, existing) -> {
            NameWaiters waiting = existing == null ? new NameWaiters() : existing;
            waiting.addUser();
            return waiting;
        });
    }

    void leave(String name) {
        waiters.computeIfPresent(name, (key, existing) -> existing.removeUser() == 0 ? null : existing);
    }

    void signalReleased(String name) {
        releaseEpoch.incrementAndGet();
        NameWaiters waiting = waiters.get(name);
        if (waiting != null) {
            waiting.signalReleased();
        }
    }

    /** Wakes every waiter (the manager is closing). */
    void signalAll() {
        waiters.values().forEach(NameWaiters::signalReleased);
    }

    /** The first waiting thread's ticket, claimed for a hand-over; null when none can be handed the lock. */
    NameWaiters.@Nullable Ticket claimFirst(String name) {
        // isEmpty first: an uncontended release pays no extra lookup.
        if (!handsOver || waiters.isEmpty()) {
            return null;
        }
        NameWaiters waiting = waiters.get(name);
        return waiting == null ? null : waiting.claimFirst();
    }

    /**
     * Passes a lock this JVM releases straight to the thread whose ticket {@code next} is, in one
     * round trip: the next holder's request is made here, from its ticket, and counts from this
     * thread's clock reading before it is sent. Whether the releasing owner still owned the lock, or
     * the backend failed.
     */
    BackendCalls.Released handOver(String name, String releasingOwnerId, NameWaiters.Ticket next) {
        boolean interrupted = Thread.interrupted();
        long sentAt = ticker.read();
        AcquireRequest request = new AcquireRequest(name, Owner.newId(), next.settings.lease(), Owner.HOST,
                Owner.PID, next.ownerName, wallClock.at(sentAt), true, next.settings.retryInterval());
        HandOverResult outcome;
        boolean failed = false;
        try {
            outcome = calls.backend.handOver(releasingOwnerId, request);
        } catch (RuntimeException failure) {
            log.warn("Could not hand lock '{}' over on {}; it stays until its lease ends: {}", name,
                    calls.backend.describe(), failure.toString());
            // The answer may be what was lost: undo whichever of the two owns it now.
            calls.quietlyRelease(name, request.ownerId());
            calls.quietlyRelease(name, releasingOwnerId);
            outcome = HandOverResult.notOwned();
            failed = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        // Signal before deciding: the new holder records the release count that includes this release.
        signalReleased(name);
        next.decide(outcome.token(), request, sentAt);
        return failed ? BackendCalls.Released.FAILED
                : outcome.wasOwned() ? BackendCalls.Released.REMOVED : BackendCalls.Released.NOT_OWNED;
    }
}
