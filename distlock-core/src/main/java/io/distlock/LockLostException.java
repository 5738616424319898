package io.distlock;

import org.jspecify.annotations.Nullable;

/** The lock is no longer held by this handle: its lease expired, it was force-released, or a renewal failed. */
public class LockLostException extends LockException {
    public LockLostException(String message) {
        super(message);
    }

    public LockLostException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
