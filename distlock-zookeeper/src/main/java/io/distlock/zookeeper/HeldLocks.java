package io.distlock.zookeeper;

import io.distlock.LockBackendException;
import io.distlock.spi.BackendEvents;
import org.jspecify.annotations.Nullable;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;

/**
 * The acquisitions this backend holds, by name: the record extend rewrites, and the session each
 * lives in, so that a lost session reports exactly the locks that went with it.
 */
final class HeldLocks {
    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();

    private record Held(LockRecord record, long session) {
    }

    boolean contains(String name) {
        return held.containsKey(name);
    }

    void acquired(String name, LockRecord record, long session) {
        held.put(name, new Held(record, session));
    }

    /** The record of {@code ownerId}'s hold of {@code name}; null if this backend does not hold it for that owner. */
    @Nullable LockRecord record(String name, String ownerId) {
        Held mine = held.get(name);
        return mine != null && mine.record.ownerId().equals(ownerId) ? mine.record : null;
    }

    /** After an extend: {@code next} is the record now on the server, if the hold is still {@code next}'s owner's. */
    void extended(String name, LockRecord next) {
        held.computeIfPresent(name, (n, h) -> h.record.ownerId().equals(next.ownerId()) ? new Held(next, h.session) : h);
    }

    void forget(String name, String ownerId) {
        held.computeIfPresent(name, (n, h) -> h.record.ownerId().equals(ownerId) ? null : h);
    }

    /**
     * Every acquisition made in a {@code dead} session is lost: its ephemeral nodes went with it.
     * Acquisitions of a newer session (a thread may take a lock in the new session before this
     * runs) are kept.
     */
    void sessionEnded(LongPredicate dead, LockBackendException cause, BackendEvents events) {
        for (Map.Entry<String, Held> entry : held.entrySet()) {
            Held h = entry.getValue();
            if (dead.test(h.session) && held.remove(entry.getKey(), h)) {
                events.lost(entry.getKey(), h.record.ownerId(), cause);
            }
        }
    }
}
