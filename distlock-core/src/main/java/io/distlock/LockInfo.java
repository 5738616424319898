package io.distlock;

import io.distlock.spi.Printable;
import org.jspecify.annotations.Nullable;

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
public record LockInfo(String name, String ownerId, @Nullable String host, long pid, @Nullable String thread,
                       @Nullable Instant acquiredAt, @Nullable Instant expiresAt, long token) {
    public LockInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(ownerId, "ownerId");
    }

    /**
     * One human line: {@code host h1 pid 42 thread main since 2026-11-22T18:00:00Z (token 7)}. The
     * host and thread are written by whichever client holds the lock, so they are shown through
     * {@link Printable#of(String)}: a hostile holder cannot put escape sequences into a log line or
     * an exception message.
     *
     * @return the holder in one line of printable text
     */
    public String describeHolder() {
        return "host " + Printable.of(host) + " pid " + pid + " thread " + Printable.of(thread) + " since " + acquiredAt
                + " (token " + token + ", lease until " + expiresAt + ")";
    }
}
