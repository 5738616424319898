package io.distlock;

import java.time.Instant;
import java.util.Objects;

/**
 * Who holds a lock, as the backend records it.
 *
 * @param name       the lock's name
 * @param ownerId    the unique id of the acquisition (one per handle, never reused)
 * @param host       the holder's host name
 * @param pid        the holder's process id
 * @param thread     the name of the thread that acquired it
 * @param acquiredAt when it was acquired, by the holder's wall clock
 * @param expiresAt  when the backend lets the lease lapse unless it is extended
 * @param token      the fencing token of the acquisition
 */
public record LockInfo(String name, String ownerId, String host, long pid, String thread,
                       Instant acquiredAt, Instant expiresAt, long token) {
    public LockInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ownerId, "ownerId");
    }

    /** One human line: {@code host h1 pid 42 thread main since 2026-11-22T18:00:00Z (token 7)}. */
    public String describeHolder() {
        return "host " + host + " pid " + pid + " thread " + thread + " since " + acquiredAt
                + " (token " + token + ", lease until " + expiresAt + ")";
    }
}
