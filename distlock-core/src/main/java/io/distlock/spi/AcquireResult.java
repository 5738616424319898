package io.distlock.spi;

import io.distlock.LockInfo;
import org.jspecify.annotations.Nullable;

import java.util.Optional;

/**
 * A backend's answer to {@link LockBackend#tryAcquire}: the lock with its fencing token, or busy,
 * with the holder when the same round trip could tell it (so a failed try-once needs no second
 * round trip to name the holder in its message).
 */
public final class AcquireResult {
    private static final AcquireResult BUSY = new AcquireResult(0, null);

    private final long token;
    private final @Nullable LockInfo holder;

    private AcquireResult(long token, @Nullable LockInfo holder) {
        this.token = token;
        this.holder = holder;
    }

    /**
     * The lock was taken.
     *
     * @param token the new fencing token, {@code > 0}
     * @throws IllegalArgumentException if {@code token <= 0}
     */
    public static AcquireResult acquired(long token) {
        if (token <= 0) {
            throw new IllegalArgumentException("a fencing token must be positive but was " + token);
        }
        return new AcquireResult(token, null);
    }

    /** The lock is busy; the backend did not learn who holds it. */
    public static AcquireResult busy() {
        return BUSY;
    }

    /** The lock is busy, held by {@code holder} (null: unknown). */
    public static AcquireResult busy(@Nullable LockInfo holder) {
        return holder == null ? BUSY : new AcquireResult(0, holder);
    }

    public boolean isAcquired() {
        return token > 0;
    }

    /** The fencing token if acquired, else 0. */
    public long token() {
        return token;
    }

    /** Who held a busy lock, where the backend's answer said so. */
    public Optional<LockInfo> holder() {
        return Optional.ofNullable(holder);
    }

    @Override
    public String toString() {
        return isAcquired() ? "acquired(token " + token + ")"
                : holder == null ? "busy" : "busy(" + holder.describeHolder() + ")";
    }
}
