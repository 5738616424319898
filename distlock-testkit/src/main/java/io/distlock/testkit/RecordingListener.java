package io.distlock.testkit;

import io.distlock.LockListener;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A manager's {@link LockListener} for tests of contract 6.4: it logs {@code "suspended <name>"},
 * {@code "restored <name>"} and {@code "lost <name>"} in the order the engine reported them, and
 * keeps the causes, for assertions and {@link Eventually} polls.
 */
public class RecordingListener implements LockListener {
    /** Every event, in order: {@code "suspended <name>"}, {@code "restored <name>"}, {@code "lost <name>"}. */
    public final List<String> log = new CopyOnWriteArrayList<>();
    public final List<Throwable> suspensionCauses = new CopyOnWriteArrayList<>();
    public final List<Throwable> lossCauses = new CopyOnWriteArrayList<>();

    @Override
    public void suspended(String name, long token, Throwable cause) {
        suspensionCauses.add(cause);
        log.add("suspended " + name);
    }

    @Override
    public void restored(String name, long token) {
        log.add("restored " + name);
    }

    @Override
    public void lost(String name, long token, Throwable cause) {
        lossCauses.add(cause);
        log.add("lost " + name);
    }

    /** How many times {@code event} (such as {@code "suspended x"}) was logged. */
    public int count(String event) {
        return Collections.frequency(log, event);
    }

    @Override
    public String toString() {
        return log + (lossCauses.isEmpty() ? "" : ", lost because " + lossCauses);
    }
}
