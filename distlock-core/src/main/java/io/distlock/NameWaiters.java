package io.distlock;

import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads of one JVM waiting for one name. Only the holder of {@link #turn} asks the backend;
 * the release counter lets it park until a release is signalled without missing one that lands
 * between its attempt and its park.
 */
final class NameWaiters {
    final Semaphore turn = new Semaphore(1, true);
    /** Guarded by the map's compute: see LockEngine.join/leave. */
    int users;

    /**
     * The release count a waiter of this JVM saw just before it took the lock, or -1. While the
     * count is unchanged that holder has not released, so the next turn holder parks, not tries.
     */
    volatile long takenLocallyAt = -1;

    private final ReentrantLock monitor = new ReentrantLock();
    private final Condition changed = monitor.newCondition();
    private volatile long releases;

    long releases() {
        return releases;
    }

    void signalReleased() {
        monitor.lock();
        try {
            releases++;
            changed.signalAll();
        } finally {
            monitor.unlock();
        }
    }

    void awaitRelease(long seen, long nanos) throws InterruptedException {
        monitor.lock();
        try {
            while (releases == seen && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            monitor.unlock();
        }
    }
}
