package io.distlock.redis;

import io.distlock.spi.AcquireRequest;
import org.jspecify.annotations.Nullable;

import java.time.Duration;

/**
 * How long a waiting manager keeps its place in a lock's queue, and how long its turn is kept
 * for it, both derived from how often that manager polls: the caller's retry interval
 * ({@link AcquireRequest#retryInterval()}), never a guess. Each busy try writes both into the
 * manager's own queue entry, so the release judges every waiter by that waiter's own pace.
 *
 * <p>The engine sleeps a jittered {@code 0.5..1.5 x interval} between tries, so the server sees a
 * polling waiter's tries at most {@code 1.5 x interval + a round trip} apart.
 *
 * <ul>
 *   <li><b>Freshness</b> = {@code 3 x interval + margin}: two of the longest jittered gaps, so a
 *       waiter keeps its place even when one poll comes late (a GC pause, a starved thread, a
 *       message that woke it early and reset its timer), plus a margin for the round trips. Longer
 *       would only keep a manager that gave up in the queue for longer (its turn then costs the
 *       others one reservation); shorter makes a slow poller lose its place silently.</li>
 *   <li><b>Reservation</b> = {@code 1.5 x interval + margin}: one longest jittered gap and a round
 *       trip, so a manager whose turn message was lost still claims its turn at its next poll;
 *       short, since a manager that gave up holds the lock free but untakeable for that long.</li>
 * </ul>
 *
 * The margin, 25 ms, covers a round trip and a thread's wake-up on a loaded host; it is what made
 * the reservation for the default 50 ms interval 100 ms before the windows followed the interval.
 * An interval shorter than the default counts as the default: the delays the windows absorb
 * (scheduling, GC pauses, a busy server) do not shrink with the interval, and a 5 ms poller's
 * entry must not go stale after 40 ms on a loaded host. So: freshness 175 ms and reservation 100 ms
 * at the default interval and below; 3.025 s and 1.525 s at a 1 s interval.
 */
final class TurnTiming {
    static final Duration MARGIN = Duration.ofMillis(25);
    /** A waiter that polls less than daily is not waiting; this also keeps the server's arithmetic exact. */
    private static final Duration LONGEST = Duration.ofDays(1);

    /** The last argument built, for the one retry interval a manager almost always uses. */
    private volatile Cached last = new Cached(null, "");

    static Duration freshness(Duration retryInterval) {
        return atLeastDefault(retryInterval).multipliedBy(3).plus(MARGIN);
    }

    static Duration reservation(Duration retryInterval) {
        return atLeastDefault(retryInterval).multipliedBy(3).dividedBy(2).plus(MARGIN);
    }

    private static Duration atLeastDefault(Duration retryInterval) {
        return retryInterval.compareTo(AcquireRequest.DEFAULT_RETRY_INTERVAL) < 0
                ? AcquireRequest.DEFAULT_RETRY_INTERVAL : retryInterval;
    }

    /** {@code "<freshness ms> <reservation ms>"}, as {@link RedisScript#ACQUIRE} stores it in the queue entry. */
    String argument(Duration retryInterval) {
        Duration interval = retryInterval == null ? AcquireRequest.DEFAULT_RETRY_INTERVAL : retryInterval;
        Cached cached = last;
        if (interval.equals(cached.interval)) {
            return cached.argument;
        }
        String argument = millis(freshness(capped(interval))) + " " + millis(reservation(capped(interval)));
        last = new Cached(interval, argument);
        return argument;
    }

    private static Duration capped(Duration interval) {
        return interval.compareTo(LONGEST) > 0 ? LONGEST : interval;
    }

    private static long millis(Duration window) {
        return Math.max(1, Math.min(window.toMillis(), 3 * LONGEST.toMillis()));
    }

    private record Cached(@Nullable Duration interval, String argument) {
    }
}
