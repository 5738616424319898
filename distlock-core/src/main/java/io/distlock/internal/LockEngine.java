package io.distlock.internal;

import io.distlock.ListPage;
import io.distlock.Lock;
import io.distlock.LockBackendException;
import io.distlock.LockConflictException;
import io.distlock.LockException;
import io.distlock.LockInfo;
import io.distlock.LockInterruptedException;
import io.distlock.LockListener;
import io.distlock.LockLostException;
import io.distlock.LockOptions;
import io.distlock.LockTimeoutException;
import io.distlock.Ticker;
import io.distlock.spi.AcquireRequest;
import io.distlock.spi.AcquireResult;
import io.distlock.spi.ConnectionUnavailableException;
import io.distlock.spi.Durations;
import io.distlock.spi.LockBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

import static io.distlock.internal.BackendCalls.causedByInterrupt;
import static io.distlock.internal.BackendCalls.notifyListener;
import static io.distlock.internal.BackendCalls.seconds;

/**
 * The engine behind every {@code LockManager}: everything a backend would otherwise get subtly
 * wrong, written once. Its parts: {@link LocalWaiting} (the per-name queue of this JVM's waiters
 * and the hand-over), {@link Renewals}, {@link BackendCalls} (failures and listeners),
 * {@link Settings}, {@link LeaseState} (one acquisition's state and local validity) and
 * {@link EngineEvents} (what the backend reports).
 *
 * <p>This class is the engine's one entry point: the API's package-private
 * {@code io.distlock.EngineLockManager} makes it and forwards the {@code LockManager} calls to its
 * public methods. The engine implements no API interface that reaches back into this package, so
 * no class cycle runs between the API and the engine (docs/architecture.md, rule 6).
 *
 * <h2>Concurrency design</h2>
 *
 * <p><b>The backend is the only source of truth.</b> A backend does single, atomic attempts
 * (take-if-free, release-if-owner, extend-if-owner); it never waits. The engine never believes it
 * holds a lock unless the backend returned a token for this exact attempt's owner id, and owner ids
 * are unique per attempt, so release and extend are exact compare-and-set operations, and an
 * attempt whose answer was lost (timeout, interrupt) can be cleaned up by releasing its owner id
 * without any risk to another holder.
 *
 * <p><b>A free lock costs one round trip.</b> An acquisition first tries once, without touching any
 * shared structure of the engine, unless threads of this JVM already queue for the name: then the
 * lock is busy or about to go to the thread whose turn it is, and a try would both cost a round trip
 * and jump the queue. Only a busy lock makes the caller wait.
 *
 * <p><b>Waiting.</b> The thread holding the name's turn (see {@link LocalWaiting}) tries, then parks
 * on the name's release counter for a jittered retry interval, or until a release is signalled,
 * whichever is first. Signals come from releases in this JVM and from the backend's own
 * notification; polling is the safety net for expiry and lost messages. Snapshotting the counter
 * before each attempt closes the lost-wake-up race: a release that lands between the attempt and
 * the park changes the counter and the park returns at once. A release signalled between a
 * caller's first try and its joining the queue found nobody to wake; the engine-wide epoch tells
 * the new waiter so, and it tries again at once instead of parking. A thread that takes the turn
 * right after a local waiter won the lock parks until that holder's release
 * ({@code NameWaiters.takenLocallyAt}) rather than asking the backend a question whose answer is
 * known; a wait that queued without ever trying still tries once before it times out.
 *
 * <p><b>Validity is conservative and local.</b> {@link LeaseState} records the monotonic time
 * before the request was sent; the lease is believed valid until that instant plus the lease
 * minus a drift allowance (1 % plus 2 ms). {@code isHeld()} is therefore a field read, never a
 * round trip, and never optimistic. A first try counts from the reading that started the call,
 * and the holder's wall-clock times ({@code acquiredAt}, {@code expiresAt}) are derived from that
 * same reading by {@link WallClock}: one clock read per uncontended acquisition on the engine's side.
 *
 * <p><b>State transitions are one-way and guarded by the lease.</b> A lease goes HELD to RELEASED
 * or HELD to LOST exactly once (synchronized on the lease); whoever wins the transition does the
 * side effects (cancel renewal, forget reentrant holds, notify listeners). Renewal, explicit extend,
 * release from another thread and a connection-loss event may race freely: the losers see a
 * non-HELD state and do nothing.
 *
 * <p><b>Listeners cannot hurt locking:</b> every callback is wrapped; what it throws is logged.
 */
public final class LockEngine {
    private static final Logger log = LoggerFactory.getLogger(LockEngine.class);
    /**
     * The holder named by this thread's last busy answer, so that a timeout's message costs no second
     * round trip where the backend's busy answer already said who holds the lock. Set only on a busy
     * answer, so an uncontended acquisition never touches it.
     */
    private static final ThreadLocal<LockInfo> BUSY_HOLDER = new ThreadLocal<>();

    final LockBackend backend;
    final Ticker ticker;
    final LocalWaiting waiting;
    private final WallClock wallClock;
    private final Settings defaults;
    private final LockListener listener;
    private final BackendCalls calls;
    private final Renewals renewals;
    private final Set<LeaseState> held = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<ReentrantKey, LeaseState> reentrantHolds = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    /** False from a reported dropped connection until it is reported back: waiting acquisitions ride it out. */
    private volatile boolean connected = true;
    /**
     * How many dropped connections the backend has reported: an attempt that spans one (sent
     * before the drop, failed or timed out after the reconnect) belongs to it, although the
     * connection was up at both ends of the attempt.
     */
    private final java.util.concurrent.atomic.AtomicLong drops = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A manager on {@code backend} with these defaults; {@code LockManager.Builder} has checked them.
     * Starts the backend.
     */
    public LockEngine(LockBackend backend, Duration lease, Duration timeout, Duration retryInterval,
                      boolean reentrant, boolean autoRenew, LockListener listener, Ticker ticker) {
        this.backend = backend;
        this.ticker = ticker;
        this.wallClock = new WallClock(ticker);
        this.listener = listener;
        this.defaults = new Settings(lease, timeout, retryInterval, reentrant, autoRenew, null, null, false);
        this.calls = new BackendCalls(backend, listener);
        this.waiting = new LocalWaiting(calls, ticker, wallClock);
        this.renewals = new Renewals(this);
        backend.start(new EngineEvents(this));
    }

    // ---------------------------------------------------------------- acquiring

    public Lock acquire(String name, LockOptions options) {
        Settings settings = resolve(name, options);
        long start = ticker.read();
        Lock lock = obtain(name, settings, start, settings.timeout());
        if (lock != null) {
            return lock;
        }
        if (settings.conflictMode()) {
            throw conflict(name, settings, start);
        }
        throw timeout(name, start, settings.timeout());
    }

    public Optional<Lock> tryAcquire(String name, LockOptions options) {
        Settings settings = resolve(name, options);
        long start = ticker.read();
        Lock lock = obtain(name, settings, start, Duration.ZERO);
        if (lock == null) {
            BUSY_HOLDER.remove();
            if (listener != LockListener.NONE) {
                Duration waited = Duration.ofNanos(ticker.read() - start);
                notifyListener(() -> listener.busy(name, waited));
            }
        }
        return Optional.ofNullable(lock);
    }

    private Settings resolve(String name, LockOptions options) {
        Validation.name(name);
        if (options == null) {
            throw new IllegalArgumentException("options must not be null (use LockOptions.defaults())");
        }
        ensureOpen();
        return options == LockOptions.defaults() ? defaults : defaults.with(options);
    }

    /** Returns the lock, or null when it stayed busy until the deadline. */
    private Lock obtain(String name, Settings settings, long start, Duration timeout) {
        if (settings.reentrant()) {
            Lock again = reenter(name);
            if (again != null) {
                return again;
            }
        }
        Handle handle;
        try {
            if (timeout.isZero() || settings.conflictMode()) {
                handle = attempt(name, settings, start, false);
            } else {
                handle = waitFor(name, settings, start, timeout.isNegative() ? -1 : Durations.saturatedNanos(timeout));
            }
        } catch (LockInterruptedException e) {
            Duration waited = Duration.ofNanos(ticker.read() - start);
            notifyListener(() -> listener.interrupted(name, waited));
            throw e;
        } catch (RuntimeException e) {
            Duration waited = Duration.ofNanos(ticker.read() - start);
            notifyListener(() -> listener.acquireFailed(name, waited, e));
            throw e;
        }
        if (handle != null && listener != LockListener.NONE) {
            Duration waited;
            try {
                waited = Duration.ofNanos(ticker.read() - start);
            } catch (RuntimeException | Error failure) {
                giveBack(name, handle.ownerId(), failure);
                throw failure;
            }
            notifyListener(() -> listener.acquired(handle, waited));
        }
        return handle;
    }

    private Handle waitFor(String name, Settings settings, long start, long timeoutNanos) {
        // A free lock costs one round trip and no shared bookkeeping; only a busy one joins the queue.
        long epochBeforeFirstTry = waiting.epoch();
        // ...but only when no thread of this JVM waits for the name: then the lock is busy, or about
        // to go to the waiter whose turn it is, and a try would cost a round trip and jump the queue.
        boolean attempted = !waiting.anyoneWaitsFor(name);
        LockBackendException[] unanswered = {null};
        if (attempted) {
            Handle firstTry = attemptRidingOut(name, settings, start, unanswered);
            if (firstTry != null) {
                return firstTry;
            }
        }
        boolean forever = timeoutNanos < 0;
        long deadline = Durations.deadlineNanos(start, Duration.ofNanos(Math.max(0, timeoutNanos)));
        NameWaiters queue = waiting.join(name);
        NameWaiters.Ticket ticket = queue.enqueue(settings);
        try {
            if (!queue.awaitTurn(ticket, forever, deadline, ticker)) {
                return null;
            }
            long seen = queue.releases();
            // Try again at once only if a release was signalled between the first try and
            // joining (its signal found no NameWaiters to wake); otherwise park first.
            boolean tryNow = waiting.epoch() != epochBeforeFirstTry;
            if (!attempted) {
                // Queued without a first try: if the waiter before us took the lock and has not
                // released it since, wait for that release (counted from before its attempt, so
                // a release before this line still wakes us); else try now.
                long taken = queue.takenLocallyAt;
                tryNow = taken < 0 || taken != seen;
                if (!tryNow) {
                    seen = taken;
                }
            }
            while (true) {
                // First, whether a release in this JVM passed the lock straight to us, which can happen
                // whenever we are first in the queue: before we even woke up, during a try, or while
                // parked. The releaser signalled before deciding, so the count includes its release.
                if (ticket.received()) {
                    queue.takenLocallyAt = queue.releases();
                    try {
                        return adopt(name, settings, ticket.request(), ticket.token(), ticket.sentAt());
                    } catch (RuntimeException | Error failure) {
                        giveBack(name, ticket.request().ownerId(), failure);
                        throw failure;
                    }
                }
                ensureOpen();
                if (tryNow) {
                    seen = queue.releases();
                    attempted = true;
                    Handle handle = attemptRidingOut(name, settings, ticker.read(), unanswered);
                    if (handle != null) {
                        queue.takenLocallyAt = seen;
                        return handle;
                    }
                }
                tryNow = true;
                long pause = jittered(Durations.saturatedNanos(settings.retryInterval()));
                if (!forever) {
                    long remaining = deadline - ticker.read();
                    if (remaining <= 0) {
                        if (unanswered[0] != null) {
                            throw unreachableForTheWholeWait(name, start, unanswered[0]);
                        }
                        // A wait that queued without trying still tries once before giving up.
                        return attempted ? null : attempt(name, settings, ticker.read(), false);
                    }
                    pause = Math.min(pause, remaining);
                }
                queue.awaitRelease(seen, pause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("Interrupted while waiting for lock '" + name + "' after "
                    + seconds(ticker.read() - start) + "; no lock was taken", e);
        } finally {
            if (ticket.withdraw()) {
                // A release in this JVM handed us the lock just as we left for another reason (a
                // lock of our own, the deadline, an interrupt, a closed manager): give it back.
                calls.quietlyRelease(name, ticket.request().ownerId());
                waiting.signalReleased(name);
            }
            queue.remove(ticket);
            waiting.leave(name);
        }
    }

    /**
     * An attempt of a caller that waits. While the backend reports its connection down (contract
     * 6.4), when a drop was reported while the attempt was under way (a command lost with its
     * connection times out long after the reconnect), or when the failure itself says the connection is down ({@link ConnectionUnavailableException},
     * for clients whose connection events arrive after the failed call), a failed attempt counts as
     * busy and the caller keeps waiting through the reconnect, within its wait; {@code unanswered}
     * keeps the last failure, and is cleared by an answer. With the connection believed up, any
     * other failure ends the wait at once, as for a try-once: a wrong password does not heal by waiting.
     */
    private Handle attemptRidingOut(String name, Settings settings, long sentAt, LockBackendException[] unanswered) {
        boolean connectedBefore = connected;
        long dropsBefore = drops.get();
        try {
            Handle handle = attempt(name, settings, sentAt, true);
            unanswered[0] = null;
            return handle;
        } catch (LockBackendException failure) {
            // Down before or after the attempt: the failure may belong to a reconnect in progress.
            boolean reconnecting = failure instanceof ConnectionUnavailableException || !connectedBefore || !connected
                    || drops.get() != dropsBefore;
            if (!reconnecting || closed) {
                throw failure;
            }
            unanswered[0] = failure;
            return null;
        }
    }

    private LockBackendException unreachableForTheWholeWait(String name, long start, LockBackendException last) {
        return new LockBackendException("Lock '" + name + "' on " + backend.describe() + ": the connection was down "
                + "for the whole wait of " + seconds(ticker.read() - start) + " (the backend did not reconnect in "
                + "time); last error: " + last.getMessage(), last);
    }

    /**
     * One round trip. Null when busy. {@code sentAt} is a reading of the ticker taken before this
     * call (the caller's start for a first try, saving a clock read): the lease counts from it,
     * which can only make validity more conservative.
     */
    private Handle attempt(String name, Settings settings, long sentAt, boolean waits) {
        if (Thread.currentThread().isInterrupted()) {
            throw new LockInterruptedException("Interrupted before asking for lock '" + name + "'; no lock was taken");
        }
        String ownerId = Owner.newId();
        AcquireRequest request = new AcquireRequest(name, ownerId, settings.lease(), Owner.HOST, Owner.PID,
                Thread.currentThread().getName(), wallClock.at(sentAt), waits, settings.retryInterval());
        AcquireResult result;
        try {
            result = backend.tryAcquire(request);
        } catch (IllegalArgumentException refused) {
            // A request the backend refuses before sending anything (a lease it cannot keep): bad
            // input, which the caller sees as such (contract 6.2), with nothing to undo.
            throw refused;
        } catch (RuntimeException failure) {
            // The request may have taken the lock before its answer was lost: undo it by owner id.
            boolean interrupted = Thread.interrupted() || causedByInterrupt(failure);
            calls.quietlyRelease(name, ownerId);
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new LockInterruptedException("Interrupted while asking for lock '" + name
                        + "'; no lock was taken", failure);
            }
            throw calls.failure("acquire", name, failure);
        }
        if (!result.isAcquired()) {
            BUSY_HOLDER.set(result.holder().orElse(null));
            return null;
        }
        try {
            if (LeaseState.endedBefore(sentAt, settings.lease(), ticker.read())) {
                // The answer came after the lease it granted had run out (a frozen server, a stalled
                // network): by the holder's own clock the lock may already be someone else's, so it
                // is no lock at all (contract 2.2: a failed attempt never looks like a success). Give
                // it back and count the attempt as busy; a caller that waits tries again.
                calls.quietlyRelease(name, ownerId);
                return null;
            }
            return adopt(name, settings, request, result.token(), sentAt);
        } catch (RuntimeException | Error failure) {
            giveBack(name, ownerId, failure);
            throw failure;
        }
    }

    /**
     * Contract 6.2: whatever fails between the backend's grant and the caller's handle (a clock, the
     * engine's own bookkeeping, a closed manager) gives the lock back before the failure is
     * reported, so that no name stays taken by an acquisition nobody holds.
     */
    private void giveBack(String name, String ownerId, Throwable failure) {
        try {
            for (LeaseState lease : held) {
                if (lease.ownerId.equals(ownerId)) {
                    releaseLease(lease, lease.stateBeforeFinishing(LeaseState.RELEASED), false);
                    return;
                }
            }
            calls.quietlyRelease(name, ownerId);
            waiting.signalReleased(name);
        } catch (RuntimeException | Error alsoFailed) {
            failure.addSuppressed(alsoFailed);
        }
    }

    /** Makes the engine's record of a lock the backend gave {@code request}, on the acquiring thread. */
    private Handle adopt(String name, Settings settings, AcquireRequest request, long token, long sentAt) {
        String ownerId = request.ownerId();
        LeaseState lease = new LeaseState(this, name, ownerId, token, settings.lease(), sentAt,
                request.acquiredAt(), settings.onLost(), settings.reentrant() ? Thread.currentThread() : null,
                settings.autoRenew());
        held.add(lease);
        if (closed) {
            // Never given to the caller nor reported acquired: the caller's giveBack releases it
            // without a released event, and this call's one outcome is acquireFailed.
            throw new LockException("LockManager on " + backend.describe() + " was closed while acquiring '" + name + "'");
        }
        if (lease.reentrantThread != null) {
            reentrantHolds.put(new ReentrantKey(lease.reentrantThread, name), lease);
        }
        if (settings.autoRenew()) {
            renewals.schedule(lease);
        }
        return lease.primary;
    }

    private Lock reenter(String name) {
        LeaseState lease = reentrantHolds.get(new ReentrantKey(Thread.currentThread(), name));
        if (lease != null && lease.addHold()) {
            return new Handle(lease);
        }
        return null;
    }

    private RuntimeException conflict(String name, Settings settings, long start) {
        Duration waited = Duration.ofNanos(ticker.read() - start);
        notifyListener(() -> listener.conflicted(name, waited));
        if (settings.onConflict() != null) {
            BUSY_HOLDER.remove();
            RuntimeException custom = settings.onConflict().apply(name);
            return custom != null ? custom : new LockConflictException("Lock '" + name + "' is busy, and the "
                    + "onConflict function returned null instead of an exception", name, null);
        }
        LockInfo holder = busyHolder(name);
        return new LockConflictException("Lock '" + name + "' on " + backend.describe() + " is busy (conflict mode, "
                + "not waiting): " + (holder == null ? "the holder is unknown" : "held by " + holder.describeHolder()),
                name, holder);
    }

    /** The holder this thread's last busy answer named, else one more round trip; null if free or unknown. */
    private LockInfo busyHolder(String name) {
        LockInfo holder = BUSY_HOLDER.get();
        BUSY_HOLDER.remove();
        if (holder != null && holder.name().equals(name)) {
            return holder;
        }
        try {
            return backend.inspect(name).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private LockTimeoutException timeout(String name, long start, Duration allowed) {
        Duration waited = Duration.ofNanos(ticker.read() - start);
        LockInfo holder = busyHolder(name);
        String holderText = holder == null
                ? "it was free again at the last look (released just now or expired), or its holder is unknown"
                : "held by " + holder.describeHolder();
        int others = waiting.waitingFor(name);
        if (allowed.isZero()) {
            notifyListener(() -> listener.busy(name, waited));
        } else {
            notifyListener(() -> listener.timedOut(name, waited));
        }
        String how = allowed.isZero() ? "was busy (tried once, as asked)"
                : "was busy for the whole wait of " + seconds(waited.toNanos());
        return new LockTimeoutException("Lock '" + name + "' on " + backend.describe() + " " + how + ": " + holderText
                + (others > 0 ? "; " + others + " other thread(s) of this JVM are waiting for it too" : ""),
                name, waited, holder);
    }

    // ---------------------------------------------------------------- holding

    /**
     * Renews the lease on the backend, for the user and for auto-renewal alike. Serialized per lease
     * (contract 3.3): two extends answered out of order would otherwise leave the local term longer
     * than the backend's. A suspended lease that the backend extends is held again.
     */
    void extend(LeaseState lease, Duration length) {
        Validation.lease("lease", length);
        // The lease's first handle is the per-lease monitor for extends: an object every lease has
        // already, so serializing costs an uncontended acquisition no allocation. (The lease's own
        // monitor guards its state and must never be held across a round trip.)
        synchronized (lease.primary) {
            if (!lease.isLive()) {
                throw new LockLostException("Cannot extend lock '" + lease.name + "' (token " + lease.token
                        + "): it was " + lease.stateName() + " before");
            }
            long sentAt = ticker.read();
            boolean renewed;
            try {
                renewed = backend.extend(lease.name, lease.ownerId, length);
            } catch (IllegalArgumentException refused) {
                throw refused; // a lease the backend cannot keep, refused before anything was sent
            } catch (RuntimeException failure) {
                throw calls.failure("extend", lease.name, failure);
            }
            if (!renewed) {
                LockLostException lost = new LockLostException("Lock '" + lease.name + "' (token " + lease.token
                        + ") could not be extended, the backend no longer has it as this owner's: "
                        + whyNotOwned(lease, sentAt));
                markLost(lease, lost);
                throw lost;
            }
            lease.renewed(sentAt, wallClock.at(sentAt), length);
        }
        if (listener != LockListener.NONE) {
            notifyListener(() -> listener.renewed(lease.name, lease.token, length));
        }
        restored(lease);
    }

    boolean verify(LeaseState lease) {
        if (!lease.isLive()) {
            return false;
        }
        Optional<LockInfo> holder;
        try {
            holder = backend.inspect(lease.name);
        } catch (RuntimeException failure) {
            throw calls.failure("verify", lease.name, failure);
        }
        if (holder.isPresent() && holder.get().ownerId().equals(lease.ownerId)) {
            restored(lease);
            return true;
        }
        markLost(lease, new LockLostException("verify found lock '" + lease.name + "' "
                + holder.map(h -> "held by another owner: " + h.describeHolder()).orElse("free")));
        return false;
    }

    /**
     * Why the backend no longer has {@code lease} as ours, as far as this holder can tell, for a
     * request sent at {@code sentAt}. The backends answer only "not yours" (a force-release leaves
     * the same trace as an expiry on Redis, memcached and ZooKeeper), but the holder's own view of
     * the lease is conservative (contract 3.3: it ends before the backend's): with time left on
     * it, the lease cannot have run out on the backend, so the lock was taken away.
     */
    private static String whyNotOwned(LeaseState lease, long sentAt) {
        long left = lease.remainingNanos(sentAt);
        if (left > 0) {
            return "its lease had " + seconds(left) + " left by this host's clock, so it did not expire: it was "
                    + "force-released (forceRelease, distlock release --force) or lost by the backend (a restart "
                    + "without its data, an eviction, an expired session), and may be another owner's now";
        }
        return "its lease of " + Durations.format(lease.length()) + " had run out " + seconds(-left)
                + " before, by this host's clock (it was not renewed in time): it expired, or was force-released "
                + "before that";
    }

    // ---------------------------------------------------------------- suspended and restored (contract 6.4)

    /** HELD to SUSPENDED: renewals pause, and the lease is lost if it runs out before it is confirmed. */
    void suspend(LeaseState lease, Throwable cause) {
        if (!lease.suspend()) {
            return;
        }
        log.warn("Lock '{}' (token {}) is suspended: {} cannot confirm it now ({}); it is held again if the "
                + "backend confirms it within its lease", lease.name, lease.token, backend.describe(), cause.toString());
        notifyListener(() -> listener.suspended(lease.name, lease.token, cause));
        renewals.expireIfStillSuspended(lease, lease.remainingNanos(ticker.read()));
    }

    /** SUSPENDED to HELD, with its side effects; nothing if the lease was not suspended. */
    private void restored(LeaseState lease) {
        if (!lease.restore()) {
            return;
        }
        if (lease.expiry != null) {
            lease.expiry.cancel(false);
        }
        log.info("Lock '{}' (token {}) is held again: {} confirmed it", lease.name, lease.token, backend.describe());
        notifyListener(() -> listener.restored(lease.name, lease.token));
        if (lease.autoRenew) {
            renewals.schedule(lease);
        }
    }

    /**
     * Asks the backend about a suspended lease: renews it where it auto-renews, else checks its owner.
     * Restores it if still owned, marks it lost if not. False when the backend gave no answer.
     */
    boolean restoreIfOwned(LeaseState lease) {
        try {
            if (lease.autoRenew) {
                extend(lease, lease.length());
                return true;
            }
            verify(lease);
            return true;
        } catch (LockLostException decided) {
            return true;
        } catch (RuntimeException noAnswer) {
            return false;
        }
    }

    void markLost(LeaseState lease, Throwable cause) {
        if (!lease.finish(LeaseState.LOST)) {
            return;
        }
        forget(lease);
        log.warn("Lock '{}' (token {}) is lost: {}", lease.name, lease.token, cause.getMessage());
        notifyListener(() -> listener.lost(lease.name, lease.token, cause));
        if (lease.onLost != null) {
            notifyListener(() -> lease.onLost.lockLost(lease.primary, cause));
        }
    }

    // ---------------------------------------------------------------- releasing

    /** One hold of a lease ends; the lock goes when the last hold does. */
    boolean releaseHold(LeaseState lease) {
        // One monitor entry decides both whether other holds remain and the state before releasing.
        int before = lease.endHold();
        return before == LeaseState.HOLDS_REMAIN || releaseLease(lease, before, true);
    }

    private boolean releaseLease(LeaseState lease) {
        return releaseLease(lease, lease.stateBeforeFinishing(LeaseState.RELEASED), true);
    }

    /**
     * The side effects of a release; {@code before} is the state this caller moved from, {@code report}
     * whether the listener hears of it.
     */
    private boolean releaseLease(LeaseState lease, int before, boolean report) {
        if (before == LeaseState.RELEASED) {
            return false;
        }
        boolean wasHeld = before == LeaseState.HELD || before == LeaseState.SUSPENDED;
        if (wasHeld) {
            forget(lease);
        }
        NameWaiters.Ticket next = wasHeld && !closed ? waiting.claimFirst(lease.name) : null;
        long sentAt = ticker.read();
        BackendCalls.Released outcome;
        if (next != null) {
            outcome = waiting.handOver(lease.name, lease.ownerId, next);
        } else {
            // Even a lost lock may still be ours on the server (a dropped connection): deleting by
            // owner id is always safe and frees it sooner.
            outcome = calls.release(lease.name, lease.ownerId);
            waiting.signalReleased(lease.name);
        }
        boolean removed = outcome == BackendCalls.Released.REMOVED;
        if (!wasHeld) {
            log.warn("Lock '{}' (token {}) was already lost when it was released", lease.name, lease.token);
        } else if (outcome == BackendCalls.Released.NOT_OWNED) {
            // Found lost only now (before the next renewal): reported as a loss, with what is known
            // of why, so that its holder hears of a force-release as such (the failed case is logged).
            LockLostException lost = new LockLostException("Lock '" + lease.name + "' (token " + lease.token
                    + ") was no longer this owner's when it was released: " + whyNotOwned(lease, sentAt));
            log.warn("{}", lost.getMessage());
            notifyListener(() -> listener.lost(lease.name, lease.token, lost));
            if (lease.onLost != null) {
                notifyListener(() -> lease.onLost.lockLost(lease.primary, lost));
            }
        }
        boolean result = wasHeld && removed;
        if (report && listener != LockListener.NONE) {
            notifyListener(() -> listener.released(lease.name, lease.token, result));
        }
        return result;
    }

    private void forget(LeaseState lease) {
        held.remove(lease);
        if (lease.renewal != null) {
            lease.renewal.cancel(false);
        }
        if (lease.expiry != null) {
            lease.expiry.cancel(false);
        }
        if (lease.reentrantThread != null) {
            reentrantHolds.remove(new ReentrantKey(lease.reentrantThread, lease.name), lease);
        }
    }

    // ---------------------------------------------------------------- seeing and repairing

    public Optional<LockInfo> inspect(String name) {
        Validation.name(name);
        return calls.call("inspect", name, () -> backend.inspect(name));
    }

    public ListPage list(String prefix, int limit) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null (use \"\" for all locks)");
        }
        Validation.limit(limit);
        return calls.call("list", prefix, () -> backend.list(prefix, limit));
    }

    public boolean forceRelease(String name) {
        Validation.name(name);
        boolean removed = calls.call("forceRelease", name, () -> backend.forceRelease(name));
        waiting.signalReleased(name);
        return removed;
    }

    public String describe() {
        return backend.describe();
    }

    // ---------------------------------------------------------------- backend events

    void connectionLost(Throwable cause) {
        drops.incrementAndGet();
        connected = false;
        for (LeaseState lease : held) {
            suspend(lease, cause);
        }
    }

    void connectionRestored() {
        connected = true;
        for (LeaseState lease : held) {
            if (lease.isState(LeaseState.SUSPENDED)) {
                renewals.checkNow(lease);
            }
        }
    }

    void ownerLost(String name, String ownerId, Throwable cause) {
        for (LeaseState lease : held) {
            if (lease.ownerId.equals(ownerId) && lease.name.equals(name)) {
                markLost(lease, new LockLostException(backend.describe() + " reports that lock '" + name
                        + "' (token " + lease.token + ") is no longer held by this handle", cause));
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    public void close() {
        // Two threads may close at once: only one releases, and the backend is closed once.
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        for (LeaseState lease : new ArrayList<>(held)) {
            releaseLease(lease);
        }
        waiting.signalAll();
        renewals.shutdown();
        try {
            backend.close();
        } catch (RuntimeException e) {
            log.warn("Closing {} failed: {}", backend.describe(), e.toString());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new LockException("This LockManager on " + backend.describe() + " is closed");
        }
    }

    @Override
    public String toString() {
        return "LockManager{" + backend.describe() + ", held=" + held.size() + "}";
    }

    // ---------------------------------------------------------------- helpers

    private static long jittered(long intervalNanos) {
        return intervalNanos / 2 + ThreadLocalRandom.current().nextLong(intervalNanos + 1);
    }

    private record ReentrantKey(Thread thread, String name) {
    }
}
