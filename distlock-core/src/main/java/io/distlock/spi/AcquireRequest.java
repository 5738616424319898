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
 */
public record AcquireRequest(String name, String ownerId, Duration lease, String host, long pid,
                             String thread, Instant acquiredAt) {
}
