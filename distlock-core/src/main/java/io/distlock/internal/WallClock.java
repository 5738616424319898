package io.distlock.internal;

import io.distlock.Ticker;

import java.time.Instant;

/**
 * The holder's wall clock at a monotonic reading the engine has already taken, so an acquisition
 * does not pay for a second clock read ({@code Instant.now()} costs more than the rest of an
 * in-memory acquisition's bookkeeping).
 *
 * <p>On Linux the monotonic and the wall clock run at the same (NTP-disciplined) rate and differ
 * only by steps, so {@code anchorWall + (reading - anchorNanos)} is the wall clock at that reading.
 * The anchor is re-taken once it is a second old, so a step of the wall clock shows within a
 * second and no rate error can accumulate. Only the system ticker is paired with the wall clock:
 * with any other ticker (a test's manual one) every call reads {@code Instant.now()}.
 */
final class WallClock {
    private static final long REANCHOR_NANOS = 1_000_000_000L;
    /** A pair read further apart than this was probably preempted in between: read it again. */
    private static final long TIGHT_PAIR_NANOS = 20_000L;
    private static final int PAIR_TRIES = 4;

    private final boolean derived;
    private volatile Anchor anchor;

    WallClock(Ticker ticker) {
        this.derived = ticker == Ticker.system();
    }

    /** The wall clock at {@code monotonicNanos}, a reading of this engine's ticker. */
    Instant at(long monotonicNanos) {
        if (!derived) {
            return Instant.now();
        }
        Anchor current = anchor;
        if (current == null || Math.abs(monotonicNanos - current.nanos) >= REANCHOR_NANOS) {
            current = freshAnchor();
            anchor = current;
        }
        return current.wall.plusNanos(monotonicNanos - current.nanos);
    }

    /**
     * The monotonic reading is taken first, so a derived time is never earlier than the true wall
     * time at that reading, only later by the gap between the two reads; a thread preempted between
     * them would skew every derived time for a second, so a wide pair is read again.
     */
    private static Anchor freshAnchor() {
        Anchor best = null;
        long bestGap = Long.MAX_VALUE;
        for (int i = 0; i < PAIR_TRIES && bestGap > TIGHT_PAIR_NANOS; i++) {
            long nanos = System.nanoTime();
            Instant wall = Instant.now();
            long gap = System.nanoTime() - nanos;
            if (gap < bestGap) {
                best = new Anchor(nanos, wall);
                bestGap = gap;
            }
        }
        return best;
    }

    private record Anchor(long nanos, Instant wall) {
    }
}
