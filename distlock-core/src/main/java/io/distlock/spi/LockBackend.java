package io.distlock.spi;

import io.distlock.ListPage;
import io.distlock.LockBackendException;
import io.distlock.LockInfo;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What a backend must do: a few atomic, single-attempt operations on one lock name. Waiting,
 * retries, jitter, reentrancy, renewal, local validity and listeners all live in the engine
 * behind {@code LockManager}, written once for every backend.
 *
 * <p>Every method either answers or throws {@link LockBackendException} within the backend's
 * configured timeout; it never blocks indefinitely. Names arrive validated (non-empty, at most 1024
 * UTF-8 bytes, any characters); mapping them to the server's keys, inside the backend's namespace,
 * is the backend's job and must be injective and deterministic.
 *
 * <p>Owner ids are unique per acquisition attempt, so "release if owner" is always exact.
 */
public interface LockBackend extends AutoCloseable {

    /**
     * Takes the lock if it is free (or its lease has lapsed), atomically, recording the holder and
     * the lease; answers {@link AcquireResult#acquired} with the new fencing token, strictly greater
     * than every token this backend issued before for the name, or {@link AcquireResult#busy} (with
     * the holder when the same round trip tells it). A request the backend cannot serve as asked,
     * such as a lease longer than the backend can keep, is refused with an
     * {@code IllegalArgumentException} naming the value, before anything is sent: the engine passes
     * it to the caller unchanged (the same for {@link #extend}).
     */
    AcquireResult tryAcquire(AcquireRequest request);

    /** Removes the lock only if {@code ownerId} still owns it. False when it did not. */
    boolean release(String name, String ownerId);

    /** True if {@link #handOver} is implemented; the engine calls it only then. */
    default boolean supportsHandOver() {
        return false;
    }

    /**
     * Optional: releases {@code ownerId}'s lock and, in the same atomic step, takes it for
     * {@code next}, an acquisition of the same manager, as {@link #tryAcquire} would, with a new
     * token. The engine uses it when a thread of its own waits for the name, so a hand-off within
     * one process costs one round trip instead of a release and an acquire. A backend that keeps a
     * queue of other waiting processes releases to them instead when the next turn is theirs
     * ({@link HandOverResult#releasedInstead()}): a hand-over must never let one process keep a lock
     * others wait for.
     *
     * @return {@link HandOverResult#handedOver} with the new token when {@code next} holds the lock
     *         now; {@link HandOverResult#releasedInstead()} when the lock was released to others;
     *         {@link HandOverResult#notOwned()} when {@code ownerId} no longer held it (expired,
     *         taken over, force-released), in which case nothing changed
     */
    default HandOverResult handOver(String ownerId, AcquireRequest next) {
        throw new UnsupportedOperationException(describe() + " does not support handOver");
    }

    /** Sets the lease to {@code lease} from now only if {@code ownerId} still owns it. */
    boolean extend(String name, String ownerId, Duration lease);

    /** The current holder, if the lock is held and its lease has not lapsed. */
    Optional<LockInfo> inspect(String name);

    /**
     * At most {@code limit} held locks whose names start with {@code prefix} (empty: all of this
     * namespace), and whether more exist ({@link ListPage#truncated()}). The engine calls only this
     * form of {@code list}.
     *
     * <p>Memory and time are bounded by the limit, not by the number of locks on the server: a
     * backend reads its keys in bounded pages (one server call each, within the backend's timeout),
     * keeps at most {@link ListPages#wanted one lock more than the limit}, and stops there; then
     * {@link ListPages#of} sorts and cuts. Which locks a truncated page holds is the backend's choice
     * (the first by name where the server sorts, the first met where it does not).
     *
     * <p>The default answers from {@link #list(String)}, for a backend written before this method:
     * its memory grows with the number of locks. Every distlock backend overrides it.
     *
     * @param limit at least 1; {@link Integer#MAX_VALUE} for every lock
     * @throws UnsupportedOperationException if the backend cannot enumerate its keys (the engine
     *                                       turns it into a {@code LockException} saying so)
     */
    default ListPage list(String prefix, int limit) {
        return ListPages.of(list(prefix), limit);
    }

    /**
     * Every held lock whose name starts with {@code prefix}: the form of {@code list} before
     * {@link #list(String, int)}, which superseded it. It is kept so that a backend written for it
     * still compiles and lists; a new backend implements {@link #list(String, int)} instead, and the
     * engine never calls this one directly.
     *
     * @throws UnsupportedOperationException by default: the backend cannot enumerate its keys
     */
    default List<LockInfo> list(String prefix) {
        throw new UnsupportedOperationException(describe() + " cannot list its locks");
    }

    /** Removes the lock whoever holds it. An administrative act; true if something was removed. */
    boolean forceRelease(String name);

    /**
     * Called once by the engine before any other method. A backend that learns of releases from its
     * server (pub/sub, LISTEN/NOTIFY, watches, file events), of a dropped or restored connection, or
     * of an acquisition it no longer owns, tells the engine through {@code events}, from any thread.
     */
    default void start(BackendEvents events) {
    }

    /** For messages and logs: the backend kind and where it points, with any secret masked. */
    String describe();

    /** Frees connections and threads. Locks still held stay on the server until their lease ends. */
    @Override
    void close();
}
