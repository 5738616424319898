package io.distlock;

import java.util.List;

/**
 * What {@link LockManager#list(String, int)} answers: at most {@code limit} held locks, sorted by
 * name, and whether the backend stopped looking before it had seen every lock under the prefix.
 *
 * <p>When {@code truncated}, more held locks exist (or may: one may have been released since), and
 * the locks given are not necessarily the first ones by name: a backend that enumerates its keys in
 * its own order (Redis's {@code SCAN}) gives the ones it met first. Ask again with a larger limit or
 * a narrower prefix to see the rest.
 *
 * @param locks     held locks, sorted by name, at most the limit asked for
 * @param truncated true when more held locks under the prefix exist than {@code locks} shows
 */
public record ListPage(List<LockInfo> locks, boolean truncated) {
    public ListPage {
        locks = List.copyOf(locks);
    }
}
