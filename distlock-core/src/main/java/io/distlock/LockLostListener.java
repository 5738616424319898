package io.distlock;

/**
 * Told when a held lock is found lost: a renewal was refused, its lease ran out while the backend
 * could not confirm it, {@link Lock#verify()} found another owner, or a release found it no longer
 * this owner's (a force-release between two renewals). The cause's message says what the holder
 * can tell: whether its lease had time left (so the lock was taken away) or had run out. Called
 * from a distlock thread, or from the releasing thread; it must not block for long. Exceptions it
 * throws are logged and otherwise ignored.
 */
@FunctionalInterface
public interface LockLostListener {
    void lockLost(Lock lock, Throwable cause);
}
