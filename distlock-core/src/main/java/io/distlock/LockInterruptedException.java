package io.distlock;

/**
 * The waiting thread was interrupted. No lock is left behind and the thread's interrupt status is
 * set again before this is thrown.
 */
public class LockInterruptedException extends LockException {
    public LockInterruptedException(String message) {
        super(message);
    }

    public LockInterruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
