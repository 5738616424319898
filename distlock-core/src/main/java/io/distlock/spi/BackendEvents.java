package io.distlock.spi;

/** How a backend tells the engine what its server told it. Methods are cheap and never throw. */
public interface BackendEvents {

    /** The lock {@code name} was released (by anyone, in any process); waiters should try now. */
    void released(String name);

    /**
     * The connection to the server dropped: every lock held through it may be lost. The engine
     * marks them lost and calls their lost-lock listeners.
     */
    void connectionLost(Throwable cause);
}
