package io.distlock.zookeeper;

import io.distlock.LockBackendException;
import io.distlock.spi.BackendEvents;

import java.util.function.LongPredicate;

/** What a change of the ZooKeeper session means for this backend's bookkeeping, and what the engine is told. */
final class SessionEvents implements ZooKeeperConnection.SessionListener {
    private final BackendEvents events;
    private final HeldLocks held;
    private final Observations observations;
    private final PendingUndos undos;

    SessionEvents(BackendEvents events, HeldLocks held, Observations observations, PendingUndos undos) {
        this.events = events;
        this.held = held;
        this.observations = observations;
        this.undos = undos;
    }

    @Override
    public void suspended(LockBackendException why) {
        events.connectionLost(why);
    }

    @Override
    public void sessionEnded(LongPredicate ended, LockBackendException why) {
        observations.clear();
        held.sessionEnded(ended, why, events);
    }

    @Override
    public void reconnected() {
        undos.retry();
        events.connectionRestored();
    }
}
