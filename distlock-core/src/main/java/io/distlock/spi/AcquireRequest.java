package io.distlock.spi;

import java.time.Duration;
import java.time.Instant;

/**
 * One attempt to take a lock, with the holder's metadata for the backend to store.
 *
 * @param name       the lock's name
 * @param ownerId    unique to this attempt; release and extend compare it
 * @param lease      how long the backend keeps the lock without renewal
 * @param host       the holder's host name
 * @param pid        the holder's process id
 * @param thread     the acquiring thread's name
 * @param acquiredAt the holder's wall clock when it sent the request
 * @param waits      whether the caller will wait if the lock is busy: a backend that keeps a queue
 *                   of waiting processes queues only such callers, so a try-once that finds the lock
 *                   busy is not given a turn it will never take
 */
public record AcquireRequest(String name, String ownerId, Duration lease, String host, long pid,
                             String thread, Instant acquiredAt, boolean waits) {

    /** A request of a caller that will wait if the lock is busy. */
    public AcquireRequest(String name, String ownerId, Duration lease, String host, long pid, String thread,
                          Instant acquiredAt) {
        this(name, ownerId, lease, host, pid, thread, acquiredAt, true);
    }
}
