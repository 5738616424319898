package io.distlock;

import java.time.Duration;

/**
 * Observes one manager's locks, for metrics and logs. Every method has a no-op default, so an
 * implementation overrides only what it needs. Methods are called on the thread that caused the
 * event (or a distlock thread for renewals) and must be quick; anything they throw is logged and
 * swallowed so a listener can never break locking.
 */
public interface LockListener {
    LockListener NONE = new LockListener() { };

    default void acquired(Lock lock, Duration waited) { }

    default void timedOut(String name, Duration waited) { }

    /** Conflict mode found the lock busy and did not wait (contract 2.7). */
    default void conflicted(String name) { }

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

    default void backendFailed(String operation, String name, LockBackendException failure) { }
}
