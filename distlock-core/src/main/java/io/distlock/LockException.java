package io.distlock;

import org.jspecify.annotations.Nullable;

/** The root of every exception distlock throws on purpose. Unchecked, like the JDK's own lock errors. */
public class LockException extends RuntimeException {
    public LockException(String message) {
        super(message);
    }

    public LockException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
