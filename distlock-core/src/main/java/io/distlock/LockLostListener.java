package io.distlock;

/**
 * Told when a held lock is found lost: a renewal was refused or failed, the backend connection
 * dropped, or {@link Lock#verify()} found another owner. Called from a distlock thread; it must not
 * block for long. Exceptions it throws are logged and otherwise ignored.
 */
@FunctionalInterface
public interface LockLostListener {
    void lockLost(Lock lock, Throwable cause);
}
