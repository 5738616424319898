package io.distlock;

import io.distlock.internal.LockEngine;
import io.distlock.internal.LockedProxy;
import io.distlock.internal.Validation;
import io.distlock.spi.LockBackend;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Hands out named locks on one backend. Build one per backend and application with
 * {@link #builder(LockBackend)}, share it between threads, and {@link #close()} it at shutdown.
 *
 * <pre>{@code
 * try (LockManager locks = LockManager.builder(FileLockBackend.inDefaultDirectory()).build();
 *      Lock lock = locks.acquire("account:" + accountNo)) {
 *     // only one holder in the cluster
 * }
 * }</pre>
 */
public interface LockManager extends AutoCloseable {

    /**
     * Waits up to the default timeout for the lock and returns its handle.
     *
     * @throws LockTimeoutException      if it stayed busy for the whole wait
     * @throws LockInterruptedException  if the thread was interrupted while waiting
     * @throws LockBackendException      if the backend failed
     * @throws IllegalArgumentException  if the name is null, empty or over 1024 UTF-8 bytes
     */
    Lock acquire(String name);

    /** As {@link #acquire(String)}, with per-call options. */
    Lock acquire(String name, LockOptions options);

    /** Locks the calling service's own name: the fully qualified name of the calling class. */
    Lock acquire();

    /** Tries exactly once; empty if the lock is busy. */
    Optional<Lock> tryAcquire(String name);

    /** Tries once with these options (their timeout is ignored); empty if the lock is busy. */
    Optional<Lock> tryAcquire(String name, LockOptions options);

    default void run(String name, Runnable action) {
        run(name, LockOptions.defaults(), action);
    }

    default void run(String name, LockOptions options, Runnable action) {
        Objects.requireNonNull(action, "action must not be null");
        try (Lock ignored = acquire(name, options)) {
            action.run();
        }
    }

    default <T> T call(String name, Supplier<? extends T> action) {
        return call(name, LockOptions.defaults(), action);
    }

    default <T> T call(String name, LockOptions options, Supplier<? extends T> action) {
        Objects.requireNonNull(action, "action must not be null");
        try (Lock ignored = acquire(name, options)) {
            return action.get();
        }
    }

    /**
     * Wraps {@code function} so every call runs under the lock whose name {@code lockName} computes
     * from the argument, like a decorator: {@code locked(order -> "order:" + order.id(), this::ship)}.
     */
    default <A, R> Function<A, R> locked(Function<? super A, String> lockName,
                                         Function<? super A, ? extends R> function) {
        return locked(lockName, LockOptions.defaults(), function);
    }

    default <A, R> Function<A, R> locked(Function<? super A, String> lockName, LockOptions options,
                                         Function<? super A, ? extends R> function) {
        Objects.requireNonNull(lockName, "lockName must not be null");
        Objects.requireNonNull(options, "options must not be null");
        Objects.requireNonNull(function, "function must not be null");
        return argument -> call(lockName.apply(argument), options, () -> function.apply(argument));
    }

    /**
     * Wraps {@code target} so that its {@link Locked} methods run under their lock (contract 2.3: a
     * {@code @Locked} without a name locks {@code ImplementationClassName.methodName}). Other
     * methods pass straight through.
     *
     * @throws IllegalArgumentException if {@code type} is not an interface or an annotation is invalid
     */
    default <T> T proxy(Class<T> type, T target) {
        return LockedProxy.create(this, type, target);
    }

    /** The current holder of {@code name}, asked of the backend. */
    Optional<LockInfo> inspect(String name);

    /** Held locks whose names start with {@code prefix} ({@code ""} for all). */
    List<LockInfo> list(String prefix);

    /** Removes the lock whoever holds it: an administrative act. True if it was held. */
    boolean forceRelease(String name);

    /** What this manager talks to, for logs. */
    String describe();

    /** Releases every lock this manager holds, stops renewals and waiters, and closes the backend. */
    @Override
    void close();

    static Builder builder(LockBackend backend) {
        return new Builder(backend);
    }

    /** Collects settings; {@link #build()} checks them and fails naming the bad value. */
    final class Builder {
        private final LockBackend backend;
        private Duration lease = Duration.ofSeconds(20);
        private Duration timeout = Duration.ofSeconds(10);
        private Duration retryInterval = Duration.ofMillis(50);
        private boolean reentrant;
        private boolean autoRenew;
        private LockListener listener = LockListener.NONE;
        private Ticker ticker = Ticker.system();

        private Builder(LockBackend backend) {
            if (backend == null) {
                throw new IllegalArgumentException("backend must not be null");
            }
            this.backend = backend;
        }

        public Builder defaultLease(Duration lease) {
            this.lease = Validation.positive("defaultLease", lease);
            return this;
        }

        /** Zero tries once; negative waits forever. */
        public Builder defaultTimeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "defaultTimeout must not be null");
            return this;
        }

        public Builder defaultRetryInterval(Duration retryInterval) {
            this.retryInterval = Validation.positive("defaultRetryInterval", retryInterval);
            return this;
        }

        public Builder reentrant(boolean reentrant) {
            this.reentrant = reentrant;
            return this;
        }

        public Builder autoRenew(boolean autoRenew) {
            this.autoRenew = autoRenew;
            return this;
        }

        public Builder listener(LockListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener must not be null");
            return this;
        }

        /** The monotonic clock the engine measures with; tests pass their own. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Objects.requireNonNull(ticker, "ticker must not be null");
            return this;
        }

        public LockManager build() {
            return new LockEngine(backend, lease, timeout, retryInterval, reentrant, autoRenew, listener, ticker);
        }
    }
}
