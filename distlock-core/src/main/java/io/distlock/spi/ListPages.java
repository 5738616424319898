package io.distlock.spi;

import io.distlock.ListPage;
import io.distlock.LockInfo;
import io.distlock.internal.Validation;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a backend answers {@link LockBackend#list(String, int)}: it collects held locks page by page
 * until it has {@link #wanted} of them (one more than the limit, so that finding it shows the answer
 * is truncated) or has seen every key, then {@link #of} sorts and cuts.
 */
public final class ListPages {
    private ListPages() {
    }

    /**
     * How many locks to collect to answer {@code limit}: one more (no overflow at
     * {@link Integer#MAX_VALUE}, which asks for every lock).
     *
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public static int wanted(int limit) {
        return limit == Integer.MAX_VALUE ? limit : Validation.limit(limit) + 1;
    }

    /**
     * The answer from {@code found}, the held locks a backend collected (in any order; a name found
     * twice counts once, as a Redis {@code SCAN} may give it): sorted by name, cut to
     * {@code limit}, and truncated if there were more.
     *
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public static ListPage of(Collection<LockInfo> found, int limit) {
        Validation.limit(limit);
        Map<String, LockInfo> byName = new TreeMap<>();
        for (LockInfo lock : found) {
            byName.putIfAbsent(lock.name(), lock);
        }
        List<LockInfo> sorted = new ArrayList<>(byName.values());
        boolean truncated = sorted.size() > limit;
        return new ListPage(truncated ? sorted.subList(0, limit) : sorted, truncated);
    }
}
