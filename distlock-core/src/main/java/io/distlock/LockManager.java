package io.distlock;

import io.distlock.internal.CallerNames;
import io.distlock.internal.Validation;
import io.distlock.spi.ListPages;
import io.distlock.spi.LockBackend;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

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
     * Waits up to the default wait for the lock and returns its handle.
     *
     * @throws LockTimeoutException      if it stayed busy for the whole wait
     * @throws LockInterruptedException  if the thread was interrupted while waiting
     * @throws LockBackendException      if the backend failed
     * @throws IllegalArgumentException  if the name is null, empty or over 1024 UTF-8 bytes
     */
    Lock acquire(String name);

    /** As {@link #acquire(String)}, with per-call options. */
    Lock acquire(String name, LockOptions options);

    /**
     * Locks the calling service's own name ({@link #acquire(LockOptions)} with default options).
     * The calling service is the class whose code called this method, by the rule of
     * {@link #callingServiceName()}.
     */
    Lock acquire();

    /**
     * Locks the calling service's own name with per-call options: Zato's {@code self.lock(timeout=0)}
     * is {@code acquire(LockOptions.tryOnce())}, {@code self.lock(expires=180)} is
     * {@code acquire(LockOptions.builder().lease(Duration.ofSeconds(180)).build())}.
     */
    Lock acquire(LockOptions options);

    /** Tries exactly once; empty if the lock is busy. */
    Optional<Lock> tryAcquire(String name);

    /** Tries once with these options (their wait is ignored); empty if the lock is busy. */
    Optional<Lock> tryAcquire(String name, LockOptions options);

    /** Tries once for the calling service's own name; empty if it is busy. */
    Optional<Lock> tryAcquire();

    /**
     * The name a call without a name locks, as seen from the code that calls this method
     * (contract 2.3): the fully qualified name of the calling class, where a lambda or method
     * reference counts as the class that wrote it, and an anonymous or local class, a JDK proxy, a
     * Spring CGLIB or ByteBuddy subclass as the named class it stands for. An inherited method's frame
     * names the class that declares the method; to lock a concrete subclass's name, as Zato's
     * per-service name does, pass {@code getClass().getName()} or use {@code @Locked} through
     * {@link #proxy}, which sees the concrete class.
     */
    static String callingServiceName() {
        return CallerNames.callingService(EngineLockManager.MANAGER_TYPES);
    }

    default void run(String name, Runnable action) {
        run(name, LockOptions.defaults(), action);
    }

    default void run(String name, LockOptions options, Runnable action) {
        Validation.notNull("action", action);
        try (Lock ignored = acquire(name, options)) {
            action.run();
        }
    }

    /** Runs {@code action} under the calling service's own name. */
    default void run(Runnable action) {
        Validation.notNull("action", action);
        try (Lock ignored = acquire(callingServiceName(), LockOptions.defaults())) {
            action.run();
        }
    }

    /**
     * Runs {@code action} under the lock if it is free now, else skips it (the "only one node runs
     * the nightly job" case). True if it ran.
     */
    default boolean tryRun(String name, Runnable action) {
        Validation.notNull("action", action);
        Optional<Lock> lock = tryAcquire(name);
        if (lock.isEmpty()) {
            return false;
        }
        try (Lock ignored = lock.get()) {
            action.run();
        }
        return true;
    }

    /** As {@link #tryRun(String, Runnable)}, under the calling service's own name. */
    default boolean tryRun(Runnable action) {
        return tryRun(callingServiceName(), action);
    }

    /**
     * Calls {@code action} under the lock and returns its result; a checked exception it throws
     * passes through as itself ({@code E} is inferred from the lambda, so a lambda that throws
     * nothing checked needs no {@code catch}).
     */
    default <T, E extends Exception> T call(String name, LockedCall<T, E> action) throws E {
        return call(name, LockOptions.defaults(), action);
    }

    default <T, E extends Exception> T call(String name, LockOptions options, LockedCall<T, E> action) throws E {
        Validation.notNull("action", action);
        try (Lock ignored = acquire(name, options)) {
            return action.call();
        }
    }

    /** As {@link #call(String, LockedCall)}, under the calling service's own name. */
    default <T, E extends Exception> T call(LockedCall<T, E> action) throws E {
        return call(callingServiceName(), LockOptions.defaults(), action);
    }

    /** What {@link #call} runs: a {@link java.util.concurrent.Callable} whose checked exception is a type parameter. */
    @FunctionalInterface
    interface LockedCall<T, E extends Exception> {
        T call() throws E;
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
        Validation.notNull("lockName", lockName);
        Validation.notNull("options", options);
        Validation.notNull("function", function);
        return argument -> {
            try (Lock ignored = acquire(lockName.apply(argument), options)) {
                return function.apply(argument);
            }
        };
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

    /**
     * Every held lock whose name starts with {@code prefix} ({@code ""} for all), sorted by name:
     * {@code list(prefix, Integer.MAX_VALUE).locks()}. Its memory grows with the number of locks, so
     * where the backend may hold many (anything shared, or a prefix you do not control), use
     * {@link #list(String, int)}.
     *
     * @throws LockException if the backend cannot enumerate its locks (memcached)
     */
    List<LockInfo> list(String prefix);

    /**
     * At most {@code limit} held locks whose names start with {@code prefix} ({@code ""} for all),
     * sorted by name, and whether more exist ({@link ListPage#truncated()}). Memory and time are
     * bounded by the limit: the backend reads its keys in bounded pages, each one call within its
     * timeout, and stops once it has found more than {@code limit}. Which locks a truncated page
     * shows depends on the backend (its README says; Redis gives the first it meets, not the first
     * by name).
     *
     * <p>The default, for an implementation of this interface written before this method, answers
     * from {@link #list(String)}.
     *
     * @param limit at least 1
     * @throws IllegalArgumentException if {@code prefix} is null or {@code limit} is less than 1
     * @throws LockException            if the backend cannot enumerate its locks (memcached)
     */
    default ListPage list(String prefix, int limit) {
        Validation.limit(limit);
        return ListPages.of(list(prefix), limit);
    }

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
        private Duration lease = LockDefaults.LEASE;
        private Duration waitTime = LockDefaults.WAIT;
        private Duration retryInterval = LockDefaults.RETRY_INTERVAL;
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
            this.lease = Validation.lease("defaultLease", lease);
            return this;
        }

        /** The wait of a call that does not set one: zero tries once; negative waits forever. */
        public Builder defaultWaitTime(Duration waitTime) {
            this.waitTime = Validation.timeout("defaultWaitTime", waitTime);
            return this;
        }

        /**
         * The default wait, by its old name.
         *
         * @deprecated since 0.1.0, removed in 0.2: {@code timeout} is the word for one backend
         *     operation's bound; use {@link #defaultWaitTime(Duration)}.
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder defaultTimeout(Duration timeout) {
            this.waitTime = Validation.timeout("defaultTimeout", timeout);
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
            this.listener = Validation.notNull("listener", listener);
            return this;
        }

        /** The monotonic clock the engine measures with; tests pass their own. */
        public Builder ticker(Ticker ticker) {
            this.ticker = Validation.notNull("ticker", ticker);
            return this;
        }

        public LockManager build() {
            return EngineLockManager.create(backend, lease, waitTime, retryInterval, reentrant, autoRenew, listener, ticker);
        }
    }
}
