package io.distlock;

import io.distlock.internal.Validation;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Per-call options. Anything not set here falls back to the manager's default (which falls back to
 * the contract's, {@link LockDefaults}: lease 20 s, wait 10 s, retry 50 ms with jitter; not reentrant,
 * no auto-renewal).
 * Immutable; build one with {@link #builder()} and reuse it freely.
 */
public final class LockOptions {
    private static final LockOptions DEFAULTS = new Builder().build();

    private final Duration lease;
    private final Duration waitTime;
    private final Duration retryInterval;
    private final Boolean reentrant;
    private final Boolean autoRenew;
    private final LockLostListener onLost;
    private final Function<String, ? extends RuntimeException> onConflict;
    private final boolean conflictMode;

    private LockOptions(Builder b) {
        this.lease = b.lease;
        this.waitTime = b.waitTime;
        this.retryInterval = b.retryInterval;
        this.reentrant = b.reentrant;
        this.autoRenew = b.autoRenew;
        this.onLost = b.onLost;
        this.onConflict = b.onConflict;
        this.conflictMode = b.conflictMode || b.onConflict != null;
    }

    /** Options that set nothing: every value comes from the manager. */
    public static LockOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Shorthand for options that try exactly once. */
    public static LockOptions tryOnce() {
        return builder().tryOnce().build();
    }

    /** The lease, if these options set one. */
    public Optional<Duration> lease() {
        return Optional.ofNullable(lease);
    }

    /**
     * The wait, if these options set one: zero tries once, negative waits forever. Java spells the
     * contract's word {@code wait} as {@code waitTime}, because every object's {@code wait()} owns
     * the word.
     */
    public Optional<Duration> waitTime() {
        return Optional.ofNullable(waitTime);
    }

    /**
     * The wait, by its old name.
     *
     * @deprecated since 0.1.0, removed in 0.2: {@code timeout} is the word for one backend
     *     operation's bound; use {@link #waitTime()}.
     */
    @Deprecated(since = "0.1.0", forRemoval = true)
    public Optional<Duration> timeout() {
        return waitTime();
    }

    /** The retry interval, if these options set one. */
    public Optional<Duration> retryInterval() {
        return Optional.ofNullable(retryInterval);
    }

    /** Reentrant mode, if these options set it. */
    public Optional<Boolean> reentrant() {
        return Optional.ofNullable(reentrant);
    }

    /** Auto-renewal, if these options set it. */
    public Optional<Boolean> autoRenew() {
        return Optional.ofNullable(autoRenew);
    }

    /** The lost-lock listener, if set. */
    public Optional<LockLostListener> onLost() {
        return Optional.ofNullable(onLost);
    }

    /** Whether these options ask for conflict mode: fail at once on a busy lock, with a {@link LockConflictException} or {@link #onConflict()}'s exception. */
    public boolean conflictMode() {
        return conflictMode;
    }

    /** The conflict-mode exception factory, if set. */
    public Optional<Function<String, ? extends RuntimeException>> onConflict() {
        return Optional.ofNullable(onConflict);
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.lease = lease;
        b.waitTime = waitTime;
        b.retryInterval = retryInterval;
        b.reentrant = reentrant;
        b.autoRenew = autoRenew;
        b.onLost = onLost;
        b.onConflict = onConflict;
        b.conflictMode = conflictMode;
        return b;
    }

    @Override
    public String toString() {
        return "LockOptions{lease=" + lease + ", waitTime=" + waitTime + ", retryInterval=" + retryInterval
                + ", reentrant=" + reentrant + ", autoRenew=" + autoRenew
                + ", conflictMode=" + conflictMode + "}";
    }

    public static final class Builder {
        private Duration lease;
        private Duration waitTime;
        private Duration retryInterval;
        private Boolean reentrant;
        private Boolean autoRenew;
        private LockLostListener onLost;
        private Function<String, ? extends RuntimeException> onConflict;
        private boolean conflictMode;

        private Builder() {
        }

        /** How long the backend keeps the lock if it is never released. Must be positive. */
        public Builder lease(Duration lease) {
            this.lease = Validation.lease("lease", lease);
            return this;
        }

        /**
         * How long to wait for a busy lock (the contract's {@code wait}): {@link Duration#ZERO}
         * tries exactly once, a negative duration waits without limit.
         */
        public Builder waitTime(Duration waitTime) {
            this.waitTime = Validation.timeout("waitTime", waitTime);
            return this;
        }

        /**
         * The wait, by its old name.
         *
         * @deprecated since 0.1.0, removed in 0.2: {@code timeout} is the word for one backend
         *     operation's bound; use {@link #waitTime(Duration)}.
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder timeout(Duration timeout) {
            this.waitTime = Validation.timeout("timeout", timeout);
            return this;
        }

        public Builder tryOnce() {
            return waitTime(Duration.ZERO);
        }

        public Builder waitForever() {
            return waitTime(Validation.FOREVER);
        }

        /** The pause between polls of a busy lock; each pause is jittered by +-50 %. */
        public Builder retryInterval(Duration retryInterval) {
            this.retryInterval = Validation.positive("retryInterval", retryInterval);
            return this;
        }

        /** The same thread may acquire a name it holds; released when the last hold is released. */
        public Builder reentrant(boolean reentrant) {
            this.reentrant = reentrant;
            return this;
        }

        /** Renew the lease at a third of its length until release. */
        public Builder autoRenew(boolean autoRenew) {
            this.autoRenew = autoRenew;
            return this;
        }

        public Builder onLost(LockLostListener onLost) {
            this.onLost = Validation.notNull("onLost", onLost);
            return this;
        }

        /**
         * Conflict mode (unimr.memcachedlock's {@code zlock}): when the lock is busy, do not wait;
         * throw a {@link LockConflictException}, which a caller can catch apart from a
         * {@link LockTimeoutException}. Implies trying once.
         */
        public Builder conflictMode() {
            this.conflictMode = true;
            return this;
        }

        /**
         * Conflict mode with an exception of the caller's: when the lock is busy, do not wait; throw the exception this function makes
         * from the lock's name (for example a JPA {@code OptimisticLockException}, so the caller's
         * retry loop reruns the whole unit of work). Implies trying once.
         */
        public Builder onConflict(Function<String, ? extends RuntimeException> exceptionForName) {
            this.onConflict = Validation.notNull("onConflict", exceptionForName);
            return this;
        }

        public LockOptions build() {
            if ((onConflict != null || conflictMode) && waitTime != null && !waitTime.isZero()) {
                throw new IllegalArgumentException("conflict mode fails at once on a busy lock, so it cannot be "
                        + "combined with a waitTime of " + waitTime + "; leave the waitTime unset or zero");
            }
            return new LockOptions(this);
        }
    }
}
