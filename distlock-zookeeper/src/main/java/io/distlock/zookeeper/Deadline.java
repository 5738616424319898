package io.distlock.zookeeper;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An operation's timeout that does not count time this process was frozen. When the whole
 * machine stops (a virtual machine paused by its host, a laptop asleep) the servers stop with
 * it, and the monotonic clock jumps on waking: a plain timed wait would fail at once, before
 * the answer that the resumed server sends within milliseconds could be read (seen on this
 * project's 3-server test ensemble: all four JVMs stood still for 8 to 10 s at once, and the
 * acquire in flight failed with "did not answer ... within PT10S" as they woke). So the wait is
 * cut into short slices, and a slice that ends far later than asked (more than
 * {@link #FROZEN_NANOS}) was a freeze, whose length is added to the deadline: the server had
 * no chance to answer in that time either. A server that is down, or frozen alone, still fails
 * the operation within its timeout, since this process keeps running meanwhile.
 */
final class Deadline {
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Later than this past its slice, a wake-up is taken as a freeze, not as a busy scheduler's delay. */
    static final long FROZEN_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How late an answer is before the server is nudged (see {@link ZooKeeperConnection}): far above a healthy server's answer time. */
    static final long NUDGE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private long end;

    Deadline(Duration timeout) {
        end = System.nanoTime() + timeout.toNanos();
    }

    /** {@code nudge} runs each time the answer is {@link #NUDGE_NANOS} later than when it last ran (or than the call). */
    Reply await(CompletableFuture<Reply> reply, Runnable nudge)
            throws InterruptedException, ExecutionException, TimeoutException {
        long nextNudge = System.nanoTime() + NUDGE_NANOS;
        while (true) {
            long before = System.nanoTime();
            long remaining = end - before;
            if (remaining <= 0) {
                if (reply.isDone()) {
                    return reply.get();
                }
                throw new TimeoutException();
            }
            long slice = Math.min(remaining, SLICE_NANOS);
            try {
                return reply.get(slice, TimeUnit.NANOSECONDS);
            } catch (TimeoutException notYet) {
                long now = System.nanoTime();
                long late = now - before - slice;
                if (late > FROZEN_NANOS) {
                    end += late;
                }
                if (now - nextNudge >= 0) {
                    nudge.run();
                    nextNudge = now + NUDGE_NANOS;
                }
            }
        }
    }
}
