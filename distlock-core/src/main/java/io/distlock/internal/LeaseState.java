package io.distlock.internal;

import io.distlock.LockLostListener;
import io.distlock.spi.Durations;
import com.google.errorprone.annotations.concurrent.GuardedBy;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * The engine's record of one acquisition: shared by every handle of a reentrant hold.
 *
 * <p>States, changed only under this object's monitor ({@code @GuardedBy}, which the build checks):
 * HELD and SUSPENDED (contract 6.4: the connection dropped, or a renewal failed, so the holder
 * cannot tell whether it still owns the lock) move back and forth; either ends once in RELEASED or
 * LOST, and nothing leaves those. Only HELD is valid: {@code isHeld()} is false at once while
 * suspended.
 */
final class LeaseState {
    static final int HELD = 0;
    static final int RELEASED = 1;
    static final int LOST = 2;
    static final int SUSPENDED = 3;
    /** Not a state: {@link #endHold()} ended one hold of several. */
    static final int HOLDS_REMAIN = -1;

    final LockEngine engine;
    final String name;
    final String ownerId;
    final long token;
    final @Nullable LockLostListener onLost;
    /** The acquiring thread in reentrant mode, else null. */
    final @Nullable Thread reentrantThread;
    final Handle primary;
    /** Whether the engine renews this lease; a restore then renews instead of only asking. */
    final boolean autoRenew;

    @GuardedBy("this")
    private int state = HELD;
    @GuardedBy("this")
    private int holds = 1;
    /** Replaced whole on renewal: one volatile write, and readers never see half a renewal. */
    private volatile Term term;
    volatile @Nullable ScheduledFuture<?> renewal;
    /** While suspended: the task that marks the lease lost when its local validity runs out. */
    volatile @Nullable ScheduledFuture<?> expiry;

    LeaseState(LockEngine engine, String name, String ownerId, long token, Duration length, long sentAtNanos,
               Instant sentAtWall, @Nullable LockLostListener onLost, @Nullable Thread reentrantThread, boolean autoRenew) {
        this.engine = engine;
        this.name = name;
        this.ownerId = ownerId;
        this.token = token;
        this.onLost = onLost;
        this.reentrantThread = reentrantThread;
        this.autoRenew = autoRenew;
        this.term = term(sentAtNanos, sentAtWall, length);
        this.primary = new Handle(this);
    }

    /**
     * A renewal's new term. Renewals of one lease are serialized on its first handle (contract 3.3,
     * {@code LockEngine.extend}), so two answered out of order cannot leave the older term in place.
     */
    @GuardedBy("primary")
    void renewed(long sentAtNanos, Instant sentAtWall, Duration newLength) {
        this.term = term(sentAtNanos, sentAtWall, newLength);
    }

    /** The lease counts from before the request was sent, less a drift allowance (Redlock's). */
    private static Term term(long sentAtNanos, Instant sentAtWall, Duration length) {
        return new Term(Durations.deadlineNanos(sentAtNanos, Duration.ofNanos(validNanos(length))), sentAtWall,
                length);
    }

    /** Whether a lease of {@code length} requested at {@code sentAtNanos} is already over at {@code nowNanos}. */
    static boolean endedBefore(long sentAtNanos, Duration length, long nowNanos) {
        return nowNanos - Durations.deadlineNanos(sentAtNanos, Duration.ofNanos(validNanos(length))) >= 0;
    }

    private static long validNanos(Duration length) {
        long nanos = Durations.saturatedNanos(length);
        return nanos - (nanos / 100 + 2_000_000L);
    }

    boolean isValid() {
        return isState(HELD) && engine.ticker.read() - term.validUntilNanos < 0;
    }

    /** Nanoseconds of local validity left at {@code now} (a reading of the engine's ticker); may be negative. */
    long remainingNanos(long now) {
        return term.validUntilNanos - now;
    }

    Duration length() {
        return term.length;
    }

    Instant expiresAt() {
        Term current = term;
        return Durations.plus(current.sentAtWall, Duration.ofNanos(validNanos(current.length)));
    }

    synchronized boolean isState(int expected) {
        return state == expected;
    }

    synchronized String stateName() {
        return switch (state) {
            case HELD -> "held";
            case SUSPENDED -> "suspended";
            case RELEASED -> "released";
            default -> "lost";
        };
    }

    /** HELD or SUSPENDED to {@code target}; true if this call made the transition. */
    synchronized boolean finish(int target) {
        if (state != HELD && state != SUSPENDED) {
            return false;
        }
        state = target;
        return true;
    }

    /** HELD to SUSPENDED; true if this call made the transition. */
    synchronized boolean suspend() {
        if (state != HELD) {
            return false;
        }
        state = SUSPENDED;
        return true;
    }

    /** SUSPENDED to HELD; true if this call made the transition. */
    synchronized boolean restore() {
        if (state != SUSPENDED) {
            return false;
        }
        state = HELD;
        return true;
    }

    /** Whether the lock may still be this lease's: held or suspended. */
    synchronized boolean isLive() {
        return state == HELD || state == SUSPENDED;
    }

    /** Moves to {@code target} unless already there; returns the state before. */
    synchronized int stateBeforeFinishing(int target) {
        int before = state;
        if (before != RELEASED) {
            state = target;
        }
        return before;
    }

    /** A reentrant acquisition joins this lease if it is still validly held. */
    synchronized boolean addHold() {
        if (state != HELD || engine.ticker.read() - term.validUntilNanos >= 0) {
            return false;
        }
        holds++;
        return true;
    }

    /**
     * Ends one hold: {@link #HOLDS_REMAIN} while others remain, else moves to RELEASED (unless
     * already there) and returns the state before, as {@link #stateBeforeFinishing} does.
     */
    synchronized int endHold() {
        if ((state == HELD || state == SUSPENDED) && holds > 1) {
            holds--;
            return HOLDS_REMAIN;
        }
        holds = 0;
        int before = state;
        state = RELEASED;
        return before;
    }

    /**
     * Identity equality, but a hash that costs nothing: the engine's set of held leases would
     * otherwise make every acquisition install an identity hash in the object header.
     */
    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Long.hashCode(token);
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    /** One lease term: believed valid until {@code validUntilNanos}; wall clock at its request. */
    private record Term(long validUntilNanos, Instant sentAtWall, Duration length) {
    }
}
