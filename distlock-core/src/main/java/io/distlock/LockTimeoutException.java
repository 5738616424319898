package io.distlock;

import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.Optional;

/** The lock stayed busy for the whole wait. The message names the lock, the wait and the holder. */
public class LockTimeoutException extends LockException {
    private final String lockName;
    private final Duration waited;
    private final transient @Nullable LockInfo holder;

    public LockTimeoutException(String message, String lockName, Duration waited, @Nullable LockInfo holder) {
        super(message);
        this.lockName = lockName;
        this.waited = waited;
        this.holder = holder;
    }

    public String lockName() {
        return lockName;
    }

    public Duration waited() {
        return waited;
    }

    /** The holder when the wait ended, where the backend could tell. */
    public Optional<LockInfo> holder() {
        return Optional.ofNullable(holder);
    }
}
