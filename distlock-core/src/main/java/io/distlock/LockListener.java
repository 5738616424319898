package io.distlock;

import java.time.Duration;

/**
 * Observes one manager's locks, for metrics and logs. Every method has a no-op default, so an
 * implementation overrides only what it needs. Methods are called on the thread that caused the
 * event (or a distlock thread for renewals) and must be quick; anything they throw is logged and
 * swallowed so a listener can never break locking.
 *
 * <p>Every call of {@code acquire} or {@code tryAcquire} that asks the backend ends in exactly one
 * of {@link #acquired}, {@link #busy}, {@link #conflicted}, {@link #timedOut}, {@link #interrupted}
 * or {@link #acquireFailed}; {@code waited} is the time from the call to that outcome. Re-entering a
 * reentrant lock the thread already holds asks no backend and reports nothing. Backend failures
 * are reported per operation as well, by {@link #backendFailed}: a wait that rides out a reconnect
 * may see several failed attempts and still end {@code acquired}.
 */
public interface LockListener {
    LockListener NONE = new LockListener() { };

    default void acquired(Lock lock, Duration waited) { }

    /**
     * A call that does not wait found the lock held: {@code tryAcquire}, which returns empty, or
     * {@code acquire} with a zero wait, which throws {@link LockTimeoutException}. Conflict mode
     * reports {@link #conflicted} instead.
     */
    default void busy(String name, Duration waited) { }

    /** A wait longer than zero ran out while the lock stayed busy ({@link LockTimeoutException}). */
    default void timedOut(String name, Duration waited) { }

    /** Conflict mode found the lock busy and did not wait (contract 2.7). */
    default void conflicted(String name, Duration waited) { }

    /**
     * The thread was interrupted while it waited for the lock or asked the backend for it
     * ({@link LockInterruptedException}); no lock was taken.
     */
    default void interrupted(String name, Duration waited) { }

    /**
     * The acquisition ended in an exception other than the outcomes above, which the caller gets:
     * the backend failed (a {@link LockBackendException}, also reported to {@link #backendFailed}),
     * or the manager was closed meanwhile (a {@link LockException}).
     */
    default void acquireFailed(String name, Duration waited, RuntimeException failure) { }

    /**
     * The backend extended a held lock's lease to {@code lease} from now: an automatic renewal, an
     * explicit {@link Lock#extend}, or the renewal that confirms a suspended auto-renewed lock. An
     * extension the backend refuses is a {@link #lost}, one that fails a {@link #backendFailed}.
     */
    default void renewed(String name, long token, Duration lease) { }

    /** {@code wasHeld} is false when the lock had been lost before this release. */
    default void released(String name, long token, boolean wasHeld) { }

    default void lost(String name, long token, Throwable cause) { }

    /**
     * The backend cannot confirm the lock now (its connection dropped, or a renewal got no answer):
     * {@code isHeld()} is false until it is {@link #restored} or {@link #lost}.
     */
    default void suspended(String name, long token, Throwable cause) { }

    /** A suspended lock was confirmed by the backend and is held again; its lost-lock listener was not called. */
    default void restored(String name, long token) { }

    /** A backend operation failed ({@code acquire}, {@code extend}, {@code verify}, {@code inspect}, ...). */
    default void backendFailed(String operation, String name, LockBackendException failure) { }
}
