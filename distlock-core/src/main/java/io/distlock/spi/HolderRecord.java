package io.distlock.spi;

import io.distlock.LockInfo;

import java.time.Instant;

/**
 * Who holds a lock, as a backend stores it beside the lock: the owner id that release and extend
 * compare, the lease end, and for people ({@code inspect}, {@code list}) the host, pid and thread
 * of the acquirer and when it acquired. The fencing token is not here: backends keep it in
 * different places (a field, the record, a counter), and {@link #info} takes it.
 *
 * <p>Each backend keeps its own wire format, because locks written by an older version must still
 * be read (Redis: one hash field; memcached: one line of URL-encoded words; file: {@code key=value}
 * lines); they share this value and its conversions. The host, thread and owner id come from
 * whoever wrote the record, so they are untrusted text: anything that prints them prints them
 * through {@link Printable} (rule 6.6), as {@link LockInfo}'s users do.
 *
 * @param ownerId    the holder's owner id, never null
 * @param host       the acquirer's host name, or null when unknown
 * @param pid        the acquirer's process id, or -1 when unknown
 * @param thread     the acquirer's thread name, or null when unknown
 * @param acquiredAt when it acquired, or null when unknown
 * @param expiresAt  when the lease ends, or null when unknown
 */
public record HolderRecord(String ownerId, String host, long pid, String thread, Instant acquiredAt,
                           Instant expiresAt) {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    public HolderRecord {
        if (ownerId == null) {
            throw new IllegalArgumentException("a holder record's owner id must not be null");
        }
    }

    /** The record of {@code request}'s acquirer, its lease ending at {@code expiresAt}. */
    public static HolderRecord of(AcquireRequest request, Instant expiresAt) {
        return new HolderRecord(request.ownerId(), request.host(), request.pid(), request.thread(),
                request.acquiredAt(), expiresAt);
    }

    /** The same holder with its lease ending at {@code newExpiresAt} (an extend). */
    public HolderRecord withExpiry(Instant newExpiresAt) {
        return new HolderRecord(ownerId, host, pid, thread, acquiredAt, newExpiresAt);
    }

    /** True if the lease has ended at {@code now} (an unknown end never ends here). */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** What {@code inspect} and {@code list} answer for lock {@code name} held with {@code token}. */
    public LockInfo info(String name, long token) {
        return new LockInfo(name, ownerId, host, pid, thread, acquiredAt, expiresAt, token);
    }

    /** {@code instant} in nanoseconds since the epoch (a {@code long} holds them until 2262). */
    public static long epochNanos(Instant instant) {
        return instant.getEpochSecond() * NANOS_PER_SECOND + instant.getNano();
    }

    /** The instant {@code nanos} nanoseconds after the epoch (before it, if negative). */
    public static Instant ofEpochNanos(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND), Math.floorMod(nanos, NANOS_PER_SECOND));
    }

    /**
     * A number read from a record or a server's reply, leniently: a {@link Long} as it is, else
     * its text parsed, else {@code fallback} (null or not a number; a record written by another
     * version or program).
     */
    public static long parseLong(Object value, long fallback) {
        if (value instanceof Long number) {
            return number;
        }
        try {
            return value == null ? fallback : Long.parseLong(value.toString());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
