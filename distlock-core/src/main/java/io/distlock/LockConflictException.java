package io.distlock;

import org.jspecify.annotations.Nullable;

import java.util.Optional;

/**
 * Conflict mode (contract 2.7, unimr.memcachedlock's {@code zlock}): the lock was busy and the
 * acquisition was not to wait. A distinct type, so a caller can tell "someone else is doing this
 * right now" apart from {@link LockTimeoutException}, a wait that ran out.
 */
public class LockConflictException extends LockException {
    private final String lockName;
    private final transient @Nullable LockInfo holder;

    public LockConflictException(String message, String lockName, @Nullable LockInfo holder) {
        super(message);
        this.lockName = lockName;
        this.holder = holder;
    }

    public String lockName() {
        return lockName;
    }

    /** The holder at the time of the conflict, where the backend could tell. */
    public Optional<LockInfo> holder() {
        return Optional.ofNullable(holder);
    }
}
