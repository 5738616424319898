package io.distlock.spi;

import java.util.Collection;

/**
 * How a backend tells the engine what its server told it. The engine gives each backend its own
 * instance in {@link LockBackend#start}; the methods are cheap, never throw, and may be called
 * from any thread.
 */
public interface BackendEvents {

    /** The lock {@code name} was released (by anyone, in any process); waiters should try now. */
    void released(String name);

    /** Several locks were released at once (for example everything a file changed); as {@link #released(String)} for each. */
    default void released(Collection<String> names) {
        for (String name : names) {
            released(name);
        }
    }

    /**
     * The connection to the server dropped (or the backend cannot currently tell whether it still
     * holds its locks): every lock held through it is <i>suspended</i> (contract 6.4) until
     * {@link #connectionRestored()}, or lost when its lease runs out first.
     */
    void connectionLost(Throwable cause);

    /**
     * The connection is back: the engine checks each suspended lock with the backend
     * ({@link LockBackend#extend} with its lease where it auto-renews, else {@link LockBackend#inspect})
     * and restores those still owned.
     */
    void connectionRestored();

    /**
     * The backend learned that the acquisition {@code ownerId} of {@code name} no longer owns its lock
     * (its session was killed, its node deleted): the engine marks it lost and calls its listeners.
     * Unknown owner ids are ignored.
     */
    void lost(String name, String ownerId, Throwable cause);
}
