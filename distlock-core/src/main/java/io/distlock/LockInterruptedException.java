package io.distlock;

import org.jspecify.annotations.Nullable;

/**
 * The waiting thread was interrupted. No lock is left behind and the thread's interrupt status is
 * set again before this is thrown.
 */
public class LockInterruptedException extends LockException {
    public LockInterruptedException(String message) {
        super(message);
    }

    public LockInterruptedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
