package io.distlock.internal;

import io.distlock.LockLostListener;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * The engine's record of one acquisition: shared by every handle of a reentrant hold. State moves
 * HELD to RELEASED or HELD to LOST once, under this object's monitor.
 */
final class LeaseState {
    static final int HELD = 0;
    static final int RELEASED = 1;
    static final int LOST = 2;
    /** Not a state: {@link #endHold()} ended one hold of several. */
    static final int HOLDS_REMAIN = -1;

    final LockEngine engine;
    final String name;
    final String ownerId;
    final long token;
    final LockLostListener onLost;
    /** The acquiring thread in reentrant mode, else null. */
    final Thread reentrantThread;
    final Handle primary;

    private int state = HELD;
    private int holds = 1;
    /** Replaced whole on renewal: one volatile write, and readers never see half a renewal. */
    private volatile Term term;
    volatile ScheduledFuture<?> renewal;

    LeaseState(LockEngine engine, String name, String ownerId, long token, Duration length, long sentAtNanos,
               Instant sentAtWall, LockLostListener onLost, Thread reentrantThread) {
        this.engine = engine;
        this.name = name;
        this.ownerId = ownerId;
        this.token = token;
        this.onLost = onLost;
        this.reentrantThread = reentrantThread;
        renewed(sentAtNanos, sentAtWall, length);
        this.primary = new Handle(this);
    }

    /** The lease counts from before the request was sent, less a drift allowance (Redlock's). */
    void renewed(long sentAtNanos, Instant sentAtWall, Duration newLength) {
        this.term = new Term(sentAtNanos + validNanos(newLength), sentAtWall, newLength);
    }

    private static long validNanos(Duration length) {
        long nanos = length.toNanos();
        return nanos - (nanos / 100 + 2_000_000L);
    }

    boolean isValid() {
        return isState(HELD) && engine.ticker.read() - term.validUntilNanos < 0;
    }

    Duration length() {
        return term.length;
    }

    Instant expiresAt() {
        Term current = term;
        return current.sentAtWall.plusNanos(validNanos(current.length));
    }

    synchronized boolean isState(int expected) {
        return state == expected;
    }

    synchronized String stateName() {
        return state == HELD ? "held" : state == RELEASED ? "released" : "lost";
    }

    /** HELD to {@code target}; true if this call made the transition. */
    synchronized boolean finish(int target) {
        if (state != HELD) {
            return false;
        }
        state = target;
        return true;
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
        if (state == HELD && holds > 1) {
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
