package io.distlock;

import java.time.Duration;
import java.time.Instant;

/**
 * One successful acquisition. Ownership belongs to this handle, not to a thread: any thread may
 * release it. {@link #close()} releases it, so try-with-resources does the right thing.
 */
public interface Lock extends AutoCloseable {

    String name();

    /** The fencing token: strictly greater than every token issued before for this name. */
    long token();

    /** When the lease ends unless extended, by this host's clock (a conservative estimate). */
    Instant expiresAt();

    /**
     * True while the lease is valid from this holder's conservative point of view: counted from
     * before the acquire request was sent, on the monotonic clock, minus a drift allowance. No round
     * trip.
     */
    boolean isHeld();

    /** Asks the backend whether this handle still owns the lock. A false answer marks it lost. */
    boolean verify();

    /**
     * Renews the lease to {@code lease} from now.
     *
     * @throws LockLostException if the lock was lost or released
     */
    void extend(Duration lease);

    /**
     * Releases the lock if this handle still owns it. Never throws: returns false (and logs a
     * warning) when the lock had been lost, and false silently when already released. A release
     * that finds the lock no longer this owner's reports the loss to the lost-lock listeners first.
     */
    boolean release();

    /** Same as {@link #release()}. */
    @Override
    void close();
}
