package io.distlock.testkit;

import io.distlock.spi.BackendEvents;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's side of {@link BackendEvents}, for tests that drive a backend without a manager:
 * it records what the backend reports, in order, for assertions and {@link Eventually} polls.
 */
public class RecordingEvents implements BackendEvents {
    /** Every name reported released, in order. */
    public final List<String> released = new CopyOnWriteArrayList<>();
    /** Every {@code connectionLost} cause, in order. */
    public final List<Throwable> connectionsLost = new CopyOnWriteArrayList<>();
    public final AtomicInteger connectionsRestored = new AtomicInteger();
    /** {@code name + " " + ownerId} of every {@code lost} report, in order. */
    public final List<String> lost = new CopyOnWriteArrayList<>();

    @Override
    public void released(String name) {
        released.add(name);
    }

    @Override
    public void connectionLost(Throwable cause) {
        connectionsLost.add(cause);
    }

    @Override
    public void connectionRestored() {
        connectionsRestored.incrementAndGet();
    }

    @Override
    public void lost(String name, String ownerId, Throwable cause) {
        lost.add(name + " " + ownerId);
    }
}
