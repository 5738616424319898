package io.distlock.spi;

/** A backend's answer to {@link LockBackend#handOver}. */
public final class HandOverResult {
    private static final HandOverResult RELEASED_INSTEAD = new HandOverResult(0);
    private static final HandOverResult NOT_OWNED = new HandOverResult(-1);

    private final long token;

    private HandOverResult(long token) {
        this.token = token;
    }

    /**
     * The next acquisition holds the lock now.
     *
     * @param token its new fencing token, {@code > 0}
     * @throws IllegalArgumentException if {@code token <= 0}
     */
    public static HandOverResult handedOver(long token) {
        if (token <= 0) {
            throw new IllegalArgumentException("a fencing token must be positive but was " + token);
        }
        return new HandOverResult(token);
    }

    /** The releasing owner held the lock and released it, but the next acquisition did not get it. */
    public static HandOverResult releasedInstead() {
        return RELEASED_INSTEAD;
    }

    /** The releasing owner no longer held the lock (expired, taken over, force-released); nothing changed. */
    public static HandOverResult notOwned() {
        return NOT_OWNED;
    }

    /** True when the next acquisition holds the lock. */
    public boolean isHandedOver() {
        return token > 0;
    }

    /** True when the releasing owner still held the lock when it asked (handed over or released). */
    public boolean wasOwned() {
        return token >= 0;
    }

    /** The next holder's token if handed over, else 0. */
    public long token() {
        return Math.max(0, token);
    }

    @Override
    public String toString() {
        return token > 0 ? "handedOver(token " + token + ")" : token == 0 ? "releasedInstead" : "notOwned";
    }
}
