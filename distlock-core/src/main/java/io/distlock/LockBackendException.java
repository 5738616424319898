package io.distlock;

import org.jspecify.annotations.Nullable;

/** The backend could not answer: down, unreachable, misconfigured, out of space, or too slow. */
public class LockBackendException extends LockException {
    public LockBackendException(String message) {
        super(message);
    }

    public LockBackendException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
