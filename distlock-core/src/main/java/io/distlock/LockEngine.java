package io.distlock;

import io.distlock.spi.AcquireRequest;
import io.distlock.spi.BackendEvents;
import io.distlock.spi.LockBackend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The engine behind every {@link LockManager}: everything a backend would otherwise get subtly
 * wrong, written once.
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
 * <p><b>Waiting is coalesced per name.</b> Threads of this JVM that wait for one name queue on
 * that name's {@link NameWaiters}, in arrival order; the first has the <i>turn</i> and is the only
 * one that asks the backend, the others park without any round trip until they come first. The
 * thread holding the turn tries, then parks on the name's release counter for a jittered retry
 * interval, or until a release is signalled, whichever is first. Signals come from releases in
 * this JVM and from the backend's own notification ({@link BackendEvents#released}); polling is the
 * safety net for expiry and lost messages. Snapshotting the counter before each attempt closes the
 * lost-wake-up race: a release that lands between the attempt and the park changes the counter and
 * the park returns at once. A release signalled between a caller's first try and its joining the
 * queue found nobody to wake; the engine-wide {@code releaseEpoch} tells the new waiter so, and it
 * tries again at once instead of parking. A thread that takes the turn right after a local waiter
 * won the lock parks until that holder's release ({@code NameWaiters.takenLocallyAt}) rather than
 * asking the backend a question whose answer is known; a wait that queued without ever trying
 * still tries once before it times out. A {@code NameWaiters} exists only while someone waits
 * (reference-counted inside {@link ConcurrentHashMap#compute}), so nothing is retained per name
 * after use.
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
 * <p><b>Renewal shares one scheduler thread</b> per manager (not a thread per lock). Each renewal
 * reschedules itself at a third of the current lease; a refused or failed renewal marks the lock
 * lost and calls its listener.
 *
 * <p><b>Listeners cannot hurt locking:</b> every callback is wrapped; what it throws is logged.
 */
final class LockEngine implements LockManager, BackendEvents {
    private static final Logger log = LoggerFactory.getLogger(LockEngine.class);
    private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    final LockBackend backend;
    final Ticker ticker;
    private final WallClock wallClock;
    private final Settings defaults;
    private final LockListener listener;
    private final ConcurrentHashMap<String, NameWaiters> waiters = new ConcurrentHashMap<>();
    private final Set<LeaseState> held = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<ReentrantKey, LeaseState> reentrantHolds = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    /** Whether a release may pass the lock straight to a waiting thread of this JVM (LockBackend#handOver). */
    private final boolean handsOver;
    /** Counts every release signal of any name: lets a new waiter tell whether it missed one. */
    private final AtomicLong releaseEpoch = new AtomicLong();
    private volatile boolean closed;

    LockEngine(LockManager.Builder builder) {
        this.backend = builder.backend;
        this.ticker = builder.ticker;
        this.wallClock = new WallClock(ticker);
        this.listener = builder.listener;
        this.defaults = new Settings(builder.lease, builder.timeout, builder.retryInterval,
                builder.reentrant, builder.autoRenew, null, null);
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "distlock-renewal");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = executor;
        this.handsOver = backend.supportsHandOver();
        backend.start(this);
    }

    // ---------------------------------------------------------------- acquiring

    @Override
    public Lock acquire() {
        return acquire(callingClassName(), LockOptions.defaults());
    }

    @Override
    public Lock acquire(String name) {
        return acquire(name, LockOptions.defaults());
    }

    @Override
    public Lock acquire(String name, LockOptions options) {
        Settings settings = resolve(name, options);
        long start = ticker.read();
        Lock lock = obtain(name, settings, start, settings.timeout);
        if (lock != null) {
            return lock;
        }
        if (settings.onConflict != null) {
            RuntimeException conflict = settings.onConflict.apply(name);
            if (conflict == null) {
                throw new LockTimeoutException("Lock '" + name + "' is busy, and the onConflict function "
                        + "returned null instead of an exception", name, Duration.ZERO, null);
            }
            throw conflict;
        }
        throw timeout(name, start, settings.timeout);
    }

    @Override
    public Optional<Lock> tryAcquire(String name) {
        return tryAcquire(name, LockOptions.defaults());
    }

    @Override
    public Optional<Lock> tryAcquire(String name, LockOptions options) {
        Settings settings = resolve(name, options);
        return Optional.ofNullable(obtain(name, settings, ticker.read(), Duration.ZERO));
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
        if (settings.reentrant) {
            Lock again = reenter(name);
            if (again != null) {
                return again;
            }
        }
        Handle handle;
        if (timeout.isZero() || settings.onConflict != null) {
            handle = attempt(name, settings, start, false);
        } else {
            handle = waitFor(name, settings, start, timeout.isNegative() ? -1 : timeout.toNanos());
        }
        if (handle != null && listener != LockListener.NONE) {
            Duration waited = Duration.ofNanos(ticker.read() - start);
            notifyListener(() -> listener.acquired(handle, waited));
        }
        return handle;
    }

    private Handle waitFor(String name, Settings settings, long start, long timeoutNanos) {
        // A free lock costs one round trip and no shared bookkeeping; only a busy one joins the queue.
        long epochBeforeFirstTry = releaseEpoch.get();
        // ...but only when no thread of this JVM waits for the name: then the lock is busy, or about
        // to go to the waiter whose turn it is, and a try would cost a round trip and jump the queue.
        boolean attempted = !waiters.containsKey(name);
        if (attempted) {
            Handle firstTry = attempt(name, settings, start, true);
            if (firstTry != null) {
                return firstTry;
            }
        }
        boolean forever = timeoutNanos < 0;
        long deadline = start + timeoutNanos;
        NameWaiters waiting = join(name);
        NameWaiters.Ticket ticket = waiting.enqueue(settings);
        try {
            if (!waiting.awaitTurn(ticket, forever, deadline, ticker)) {
                return null;
            }
            long seen = waiting.releases();
            // Try again at once only if a release was signalled between the first try and
            // joining (its signal found no NameWaiters to wake); otherwise park first.
            boolean tryNow = releaseEpoch.get() != epochBeforeFirstTry;
            if (!attempted) {
                // Queued without a first try: if the waiter before us took the lock and has not
                // released it since, wait for that release (counted from before its attempt, so
                // a release before this line still wakes us); else try now.
                long taken = waiting.takenLocallyAt;
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
                    waiting.takenLocallyAt = waiting.releases();
                    return adopt(name, settings, ticket.request(), ticket.token(), ticket.sentAt());
                }
                ensureOpen();
                if (tryNow) {
                    seen = waiting.releases();
                    attempted = true;
                    Handle handle = attempt(name, settings, ticker.read(), true);
                    if (handle != null) {
                        waiting.takenLocallyAt = seen;
                        return handle;
                    }
                }
                tryNow = true;
                long pause = jittered(settings.retryInterval.toNanos());
                if (!forever) {
                    long remaining = deadline - ticker.read();
                    if (remaining <= 0) {
                        // A wait that queued without trying still tries once before giving up.
                        return attempted ? null : attempt(name, settings, ticker.read(), false);
                    }
                    pause = Math.min(pause, remaining);
                }
                waiting.awaitRelease(seen, pause);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockInterruptedException("Interrupted while waiting for lock '" + name + "' after "
                    + seconds(ticker.read() - start) + "; no lock was taken", e);
        } finally {
            if (ticket.withdraw()) {
                // A release in this JVM handed us the lock just as we left for another reason (a
                // lock of our own, the deadline, an interrupt, a closed manager): give it back.
                quietlyRelease(name, ticket.request().ownerId());
                signalReleased(name);
            }
            waiting.remove(ticket);
            leave(name, waiting);
        }
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
        AcquireRequest request = new AcquireRequest(name, ownerId, settings.lease, Owner.HOST, Owner.PID,
                Thread.currentThread().getName(), wallClock.at(sentAt), waits);
        OptionalLong token;
        try {
            token = backend.tryAcquire(request);
        } catch (RuntimeException failure) {
            // The request may have taken the lock before its answer was lost: undo it by owner id.
            boolean interrupted = Thread.interrupted() || causedByInterrupt(failure);
            quietlyRelease(name, ownerId);
            if (interrupted) {
                Thread.currentThread().interrupt();
                throw new LockInterruptedException("Interrupted while asking for lock '" + name
                        + "'; no lock was taken", failure);
            }
            throw backendFailure("acquire", name, failure);
        }
        if (token.isEmpty()) {
            return null;
        }
        return adopt(name, settings, request, token.getAsLong(), sentAt);
    }

    /** Makes the engine's record of a lock the backend gave {@code request}, on the acquiring thread. */
    private Handle adopt(String name, Settings settings, AcquireRequest request, long token, long sentAt) {
        String ownerId = request.ownerId();
        LeaseState lease = new LeaseState(this, name, ownerId, token, settings.lease, sentAt,
                request.acquiredAt(), settings.onLost, settings.reentrant ? Thread.currentThread() : null);
        held.add(lease);
        if (closed) {
            releaseLease(lease);
            throw new LockException("LockManager on " + backend.describe() + " was closed while acquiring '" + name + "'");
        }
        if (lease.reentrantThread != null) {
            reentrantHolds.put(new ReentrantKey(lease.reentrantThread, name), lease);
        }
        if (settings.autoRenew) {
            scheduleRenewal(lease);
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

    private LockTimeoutException timeout(String name, long start, Duration allowed) {
        Duration waited = Duration.ofNanos(ticker.read() - start);
        LockInfo holder = null;
        String holderText;
        try {
            holder = backend.inspect(name).orElse(null);
            holderText = holder == null ? "it was free again at the last look (released just now or expired)"
                    : "held by " + holder.describeHolder();
        } catch (RuntimeException e) {
            holderText = "the holder is unknown (inspect failed: " + e.getMessage() + ")";
        }
        NameWaiters stillWaiting = waiters.get(name);
        int others = stillWaiting == null ? 0 : stillWaiting.users;
        notifyListener(() -> listener.timedOut(name, waited));
        String how = allowed.isZero() ? "was busy (tried once, as asked)"
                : "was busy for the whole wait of " + seconds(waited.toNanos());
        return new LockTimeoutException("Lock '" + name + "' on " + backend.describe() + " " + how + ": " + holderText
                + (others > 0 ? "; " + others + " other thread(s) of this JVM are waiting for it too" : ""),
                name, waited, holder);
    }

    // ---------------------------------------------------------------- holding

    void extend(LeaseState lease, Duration length) {
        Validation.positive("lease", length);
        if (!lease.isState(LeaseState.HELD)) {
            throw new LockLostException("Cannot extend lock '" + lease.name + "' (token " + lease.token + "): it was "
                    + lease.stateName() + " before");
        }
        long sentAt = ticker.read();
        boolean renewed;
        try {
            renewed = backend.extend(lease.name, lease.ownerId, length);
        } catch (RuntimeException failure) {
            throw backendFailure("extend", lease.name, failure);
        }
        if (!renewed) {
            LockLostException lost = new LockLostException("Lock '" + lease.name + "' (token " + lease.token
                    + ") could not be extended: its lease had expired or it was taken over or force-released");
            markLost(lease, lost);
            throw lost;
        }
        lease.renewed(sentAt, wallClock.at(sentAt), length);
    }

    boolean verify(LeaseState lease) {
        if (!lease.isState(LeaseState.HELD)) {
            return false;
        }
        Optional<LockInfo> holder;
        try {
            holder = backend.inspect(lease.name);
        } catch (RuntimeException failure) {
            throw backendFailure("verify", lease.name, failure);
        }
        if (holder.isPresent() && holder.get().ownerId().equals(lease.ownerId)) {
            return true;
        }
        markLost(lease, new LockLostException("verify found lock '" + lease.name + "' "
                + holder.map(h -> "held by another owner: " + h.describeHolder()).orElse("free")));
        return false;
    }

    private void scheduleRenewal(LeaseState lease) {
        long delay = Math.max(1, lease.length().toNanos() / 3);
        try {
            lease.renewal = scheduler.schedule(() -> renew(lease), delay, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // The manager is closing; close() releases this lease.
        }
    }

    private void renew(LeaseState lease) {
        if (!lease.isState(LeaseState.HELD)) {
            return;
        }
        try {
            extend(lease, lease.length());
            if (lease.isState(LeaseState.HELD)) {
                scheduleRenewal(lease);
            }
        } catch (LockLostException alreadyMarked) {
            // extend() marked it lost and told the listeners.
        } catch (RuntimeException failure) {
            markLost(lease, new LockLostException("Renewal of lock '" + lease.name + "' (token " + lease.token
                    + ") failed, so the lock may be lost: " + failure.getMessage(), failure));
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
        return before == LeaseState.HOLDS_REMAIN || releaseLease(lease, before);
    }

    private boolean releaseLease(LeaseState lease) {
        return releaseLease(lease, lease.stateBeforeFinishing(LeaseState.RELEASED));
    }

    /** The side effects of a release; {@code before} is the state this caller moved from. */
    private boolean releaseLease(LeaseState lease, int before) {
        if (before == LeaseState.RELEASED) {
            return false;
        }
        boolean wasHeld = before == LeaseState.HELD;
        if (wasHeld) {
            forget(lease);
        }
        // isEmpty first: an uncontended release pays no extra lookup.
        NameWaiters waiting = wasHeld && handsOver && !closed && !waiters.isEmpty() ? waiters.get(lease.name) : null;
        NameWaiters.Ticket next = waiting == null ? null : waiting.claimFirst();
        boolean removed;
        if (next != null) {
            removed = handOver(lease, next);
        } else {
            // Even a lost lock may still be ours on the server (a dropped connection): deleting by
            // owner id is always safe and frees it sooner.
            removed = quietlyRelease(lease.name, lease.ownerId);
            signalReleased(lease.name);
        }
        if (!wasHeld) {
            log.warn("Lock '{}' (token {}) was already lost when it was released", lease.name, lease.token);
        } else if (!removed) {
            log.warn("Lock '{}' (token {}) had expired or been taken over before it was released; "
                    + "its lease was {}", lease.name, lease.token, lease.length());
        }
        boolean result = wasHeld && removed;
        if (listener != LockListener.NONE) {
            notifyListener(() -> listener.released(lease.name, lease.token, result));
        }
        return result;
    }

    /**
     * Passes a lock this JVM releases straight to the thread of this JVM whose turn it is, in one
     * round trip: the next holder's request is made here, from its ticket, and counts from this
     * thread's clock reading before it is sent. True if the releasing handle still owned the lock.
     */
    private boolean handOver(LeaseState lease, NameWaiters.Ticket next) {
        boolean interrupted = Thread.interrupted();
        long sentAt = ticker.read();
        AcquireRequest request = new AcquireRequest(lease.name, Owner.newId(), next.settings.lease, Owner.HOST,
                Owner.PID, next.ownerName, wallClock.at(sentAt));
        long outcome;
        try {
            outcome = backend.handOver(lease.ownerId, request);
        } catch (RuntimeException failure) {
            log.warn("Could not hand lock '{}' over on {}; it stays until its lease ends: {}", lease.name,
                    backend.describe(), failure.toString());
            // The answer may be what was lost: undo whichever of the two owns it now.
            quietlyRelease(lease.name, request.ownerId());
            quietlyRelease(lease.name, lease.ownerId);
            outcome = LockBackend.NOT_OWNED;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        // Signal before deciding: the new holder records the release count that includes this release.
        signalReleased(lease.name);
        next.decide(Math.max(0, outcome), request, sentAt);
        return outcome != LockBackend.NOT_OWNED;
    }

    /** Release by owner id, from any thread, interrupted or not. False if not removed or on failure. */
    private boolean quietlyRelease(String name, String ownerId) {
        boolean interrupted = Thread.interrupted();
        try {
            return backend.release(name, ownerId);
        } catch (RuntimeException failure) {
            log.warn("Could not release lock '{}' on {}; it stays until its lease ends: {}", name,
                    backend.describe(), failure.toString());
            return false;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void forget(LeaseState lease) {
        held.remove(lease);
        if (lease.renewal != null) {
            lease.renewal.cancel(false);
        }
        if (lease.reentrantThread != null) {
            reentrantHolds.remove(new ReentrantKey(lease.reentrantThread, lease.name), lease);
        }
    }

    // ---------------------------------------------------------------- seeing and repairing

    @Override
    public Optional<LockInfo> inspect(String name) {
        Validation.name(name);
        return callBackend("inspect", name, () -> backend.inspect(name));
    }

    @Override
    public List<LockInfo> list(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("prefix must not be null (use \"\" for all locks)");
        }
        return callBackend("list", prefix, () -> backend.list(prefix));
    }

    @Override
    public boolean forceRelease(String name) {
        Validation.name(name);
        boolean removed = callBackend("forceRelease", name, () -> backend.forceRelease(name));
        signalReleased(name);
        return removed;
    }

    @Override
    public String describe() {
        return backend.describe();
    }

    // ---------------------------------------------------------------- backend events

    @Override
    public void released(String name) {
        signalReleased(name);
    }

    @Override
    public void connectionLost(Throwable cause) {
        for (LeaseState lease : new ArrayList<>(held)) {
            markLost(lease, new LockLostException("The connection to " + backend.describe()
                    + " dropped while lock '" + lease.name + "' was held, so it may be lost", cause));
        }
    }

    private void signalReleased(String name) {
        releaseEpoch.incrementAndGet();
        NameWaiters waiting = waiters.get(name);
        if (waiting != null) {
            waiting.signalReleased();
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (LeaseState lease : new ArrayList<>(held)) {
            releaseLease(lease);
        }
        waiters.values().forEach(NameWaiters::signalReleased);
        scheduler.shutdownNow();
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

    private NameWaiters join(String name) {
        return waiters.compute(name, (key, existing) -> {
            NameWaiters waiting = existing == null ? new NameWaiters() : existing;
            waiting.users++;
            return waiting;
        });
    }

    private void leave(String name, NameWaiters waiting) {
        waiters.computeIfPresent(name, (key, existing) -> --existing.users == 0 ? null : existing);
    }

    private <T> T callBackend(String operation, String name, Supplier<T> call) {
        try {
            return call.get();
        } catch (UnsupportedOperationException | LockException e) {
            throw e;
        } catch (RuntimeException failure) {
            throw backendFailure(operation, name, failure);
        }
    }

    private LockException backendFailure(String operation, String name, RuntimeException failure) {
        LockBackendException wrapped = failure instanceof LockBackendException lbe ? lbe
                : new LockBackendException(operation + " of lock '" + name + "' on " + backend.describe()
                + " failed: " + failure, failure);
        notifyListener(() -> listener.backendFailed(operation, name, wrapped));
        return wrapped;
    }

    private static boolean causedByInterrupt(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    private static void notifyListener(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            log.warn("A distlock listener threw; ignored", e);
        }
    }

    private static long jittered(long intervalNanos) {
        return intervalNanos / 2 + ThreadLocalRandom.current().nextLong(intervalNanos + 1);
    }

    static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.3f s", nanos / 1e9);
    }

    /** Contract 2.3: the fully qualified name of the first caller that is not the manager itself. */
    static String callingClassName() {
        return STACK.walk(frames -> frames
                .map(StackWalker.StackFrame::getDeclaringClass)
                .filter(type -> type != LockEngine.class && type != LockManager.class)
                .findFirst()
                .map(Class::getName)
                .orElseThrow(() -> new IllegalStateException("no caller outside the lock manager")));
    }

    private record ReentrantKey(Thread thread, String name) {
    }

    /** The effective options of one call. */
    record Settings(Duration lease, Duration timeout, Duration retryInterval, boolean reentrant,
                    boolean autoRenew, LockLostListener onLost,
                    Function<String, ? extends RuntimeException> onConflict) {
        Settings with(LockOptions o) {
            return new Settings(
                    o.lease != null ? o.lease : lease,
                    o.timeout != null ? o.timeout : timeout,
                    o.retryInterval != null ? o.retryInterval : retryInterval,
                    o.reentrant != null ? o.reentrant : reentrant,
                    o.autoRenew != null ? o.autoRenew : autoRenew,
                    o.onLost,
                    o.onConflict);
        }
    }
}
