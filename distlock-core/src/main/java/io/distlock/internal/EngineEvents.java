package io.distlock.internal;

import io.distlock.spi.BackendEvents;

import java.util.Collection;

/**
 * The engine's ear for its backend. A separate object from the manager, so that nobody holding a
 * {@code LockManager} can cast it and announce a dropped connection.
 */
final class EngineEvents implements BackendEvents {
    private final LockEngine engine;

    EngineEvents(LockEngine engine) {
        this.engine = engine;
    }

    @Override
    public void released(String name) {
        engine.waiting.signalReleased(name);
    }

    @Override
    public void released(Collection<String> names) {
        for (String name : names) {
            engine.waiting.signalReleased(name);
        }
    }

    @Override
    public void connectionLost(Throwable cause) {
        engine.connectionLost(cause);
    }

    @Override
    public void connectionRestored() {
        engine.connectionRestored();
    }

    @Override
    public void lost(String name, String ownerId, Throwable cause) {
        engine.ownerLost(name, ownerId, cause);
    }
}
