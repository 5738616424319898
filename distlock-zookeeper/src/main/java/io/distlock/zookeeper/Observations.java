package io.distlock.zookeeper;

import org.apache.zookeeper.data.Stat;
import org.jspecify.annotations.Nullable;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The clock-free lease check: what this backend last saw of each busy lock, and since when on its
 * own monotonic clock. A contender that sees the same node, unchanged (same {@code czxid} and
 * {@code mzxid}), for the holder's whole lease may take it over.
 */
final class Observations {
    /** Contenders remember what they saw of this many busy names at most; forgetting only delays a takeover. */
    private static final int MAX_OBSERVATIONS = 10_000;

    private final ConcurrentHashMap<String, Observation> seen = new ConcurrentHashMap<>();

    /** A busy lock as a contender saw it: which node, which version of it, and since when (nanoTime). */
    private record Observation(long czxid, long mzxid, long since) {
    }

    /** Whether {@code name} was seen busy lately (and not since seen gone). */
    boolean seenBusy(String name) {
        return seen.containsKey(name);
    }

    /**
     * Notes the version of {@code name}'s node read at {@code receivedAt} (nanoTime), and says
     * whether that very version has now stood for its {@code holder}'s whole lease; a node without
     * a record ({@code holder} null) never lapses.
     */
    boolean lapsed(String name, Stat stat, @Nullable LockRecord holder, long receivedAt) {
        Observation before = seen.get(name);
        if (before != null && before.czxid == stat.getCzxid() && before.mzxid == stat.getMzxid()) {
            return holder != null && receivedAt - before.since >= lapseNanos(holder.leaseMillis());
        }
        if (seen.size() >= MAX_OBSERVATIONS) {
            seen.clear();
        }
        seen.put(name, new Observation(stat.getCzxid(), stat.getMzxid(), receivedAt));
        return false;
    }

    /**
     * How long a contender must see a node unchanged before its lease has surely run out for its
     * holder too: the lease plus 1 %, for clocks that run at slightly different rates. The holder
     * counts from before it sent its request; the contender from after a read that already saw the
     * result, so the holder's count always ends first.
     */
    private static long lapseNanos(long leaseMillis) {
        long nanos = TimeUnit.MILLISECONDS.toNanos(leaseMillis);
        return nanos + nanos / 100;
    }

    /** The node is gone, or is ours: start again from nothing when it is next seen busy. */
    void forget(String name) {
        seen.remove(name);
    }

    /** The session ended: what it saw says nothing about the next one's reads. */
    void clear() {
        seen.clear();
    }
}
