package io.distlock.spi;

import io.distlock.LockDefaults;

import java.time.Duration;
import java.time.Instant;

/**
 * One attempt to take a lock, with the holder's metadata for the backend to store.
 *
 * @param name          the lock's name
 * @param ownerId       unique to this attempt; release and extend compare it
 * @param lease         how long the backend keeps the lock without renewal
 * @param host          the holder's host name
 * @param pid           the holder's process id
 * @param thread        the acquiring thread's name
 * @param acquiredAt    the holder's wall clock when it sent the request
 * @param waits         whether the caller will wait if the lock is busy: a backend that keeps a queue
 *                      of waiting processes queues only such callers, so a try-once that finds the
 *                      lock busy is not given a turn it will never take
 * @param retryInterval how often a waiting caller asks again at the latest (before jitter of up to
 *                      +50 %): a backend that judges whether a queued waiter is still there by how
 *                      recently it asked derives its window from this, never from a guess
 */
public record AcquireRequest(String name, String ownerId, Duration lease, String host, long pid,
                             String thread, Instant acquiredAt, boolean waits, Duration retryInterval) {

    /** The contract's default retry interval (rule 2.1), {@link LockDefaults#RETRY_INTERVAL}. */
    public static final Duration DEFAULT_RETRY_INTERVAL = LockDefaults.RETRY_INTERVAL;

    /** A request of a caller that will wait, polling at the default retry interval. */
    public AcquireRequest(String name, String ownerId, Duration lease, String host, long pid, String thread,
                          Instant acquiredAt) {
        this(name, ownerId, lease, host, pid, thread, acquiredAt, true, DEFAULT_RETRY_INTERVAL);
    }
}
