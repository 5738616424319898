package io.distlock.spring;

import io.distlock.LockInterruptedException;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import org.springframework.integration.support.locks.RenewableLockRegistry;

/**
 * Spring Integration's {@code LockRegistry} on distlock: an application that uses
 * {@code JdbcLockRegistry} or {@code RedisLockRegistry} (for an aggregator, a leader, or
 * {@code executeLocked}) switches by replacing that one bean:
 *
 * <pre>{@code
 * @Bean
 * DistlockLockRegistry lockRegistry(LockManager locks) {
 *     return new DistlockLockRegistry(locks);
 * }
 * }</pre>
 *
 * <p>It keeps the habits of Spring Integration's registries: a lock is reentrant for the thread that
 * holds it (the backend is asked once, the last {@code unlock} releases); {@code unlock} by a thread
 * that does not hold it throws {@link IllegalMonitorStateException}; an {@code unlock} that finds
 * the lock lost in the backend (its lease ran out, or it was force-released) throws
 * {@link IllegalStateException}, as theirs do, since what it protected may have been touched by
 * another holder meanwhile; conditions are not supported. Unlike theirs, a held lock is renewed
 * while held (auto-renewal, lease {@code lease}), and {@link #renewLock} extends it at once.
 * Keys are lock names ({@code key.toString()}), so registries of several applications on one
 * backend exclude each other by key, as two {@code JdbcLockRegistry}s on one region do.
 *
 * <p>Compiled against Spring Integration 6.5; it also runs on 7.0, whose registries became
 * generic over their lock type ({@code renewLock(key, ttl)} is here for 7.0's interface).
 */
public final class DistlockLockRegistry implements RenewableLockRegistry {
    private static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

    private final LockManager locks;
    private final Duration lease;
    /** The lock each key's holding thread has, while it has one; the entry goes before the backend's release. */
    private final ConcurrentHashMap<String, Holding> held = new ConcurrentHashMap<>();

    /** A registry whose locks have a 60 s lease, renewed while held (RedisLockRegistry's default expiry). */
    public DistlockLockRegistry(LockManager locks) {
        this(locks, DEFAULT_LEASE);
    }

    /**
     * @param locks the manager whose backend holds the locks
     * @param lease each lock's lease, renewed while it is held; what a crashed holder leaves behind
     */
    public DistlockLockRegistry(LockManager locks, Duration lease) {
        if (locks == null) {
            throw new IllegalArgumentException("locks must not be null");
        }
        if (lease == null || lease.isZero() || lease.isNegative()) {
            throw new IllegalArgumentException("lease must be positive but was " + lease);
        }
        this.locks = locks;
        this.lease = lease;
    }

    @Override
    public Lock obtain(Object lockKey) {
        return new KeyLock(name(lockKey));
    }

    /** Extends the lease of {@code lockKey}'s lock, which the calling thread must hold. */
    @Override
    public void renewLock(Object lockKey) {
        renewLock(lockKey, lease);
    }

    /** Extends the lease of {@code lockKey}'s lock to {@code ttl} from now; the calling thread must hold it. */
    public void renewLock(Object lockKey, Duration ttl) {
        String name = name(lockKey);
        Holding holding = held.get(name);
        if (holding == null || holding.thread != Thread.currentThread()) {
            throw new IllegalMonitorStateException("the current thread does not hold lock '" + name + "'");
        }
        holding.lock.extend(ttl);
    }

    private static String name(Object lockKey) {
        if (lockKey == null) {
            throw new IllegalArgumentException("lockKey must not be null");
        }
        return lockKey.toString();
    }

    private static final class Holding {
        final Thread thread = Thread.currentThread();
        final io.distlock.Lock lock;
        int count = 1;

        Holding(io.distlock.Lock lock) {
            this.lock = lock;
        }
    }

    /** A view of one key's lock; every view of a key shares the registry's state for it. */
    private final class KeyLock implements Lock {
        private final String name;

        KeyLock(String name) {
            this.name = name;
        }

        /** True if the calling thread already held it: one more hold, no backend call. */
        private boolean reenter() {
            Holding holding = held.get(name);
            if (holding != null && holding.thread == Thread.currentThread()) {
                holding.count++;
                return true;
            }
            return false;
        }

        private LockOptions options(Duration wait) {
            LockOptions.Builder options = LockOptions.builder().lease(lease).autoRenew(true);
            return (wait == null ? options.waitForever() : options.waitTime(wait)).build();
        }

        private void hold(io.distlock.Lock lock) {
            held.put(name, new Holding(lock));
        }

        /** {@code Lock}'s interruptible methods fail at once on a thread already interrupted. */
        private void failIfInterrupted() throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted before waiting for lock '" + name + "'");
            }
        }

        /** A wait the engine ended on an interrupt, as {@code Lock} reports it: the status cleared, the exception checked. */
        private InterruptedException asInterruptedException(LockInterruptedException e) {
            Thread.interrupted();
            InterruptedException interrupted = new InterruptedException(e.getMessage());
            interrupted.initCause(e);
            return interrupted;
        }

        @Override
        public void lock() {
            if (reenter()) {
                return;
            }
            boolean interrupted = false;
            while (true) {
                try {
                    hold(locks.acquire(name, options(null)));
                    break;
                } catch (LockInterruptedException e) {
                    // lock() is not interruptible: keep waiting, and leave the interrupt for the caller.
                    interrupted = true;
                    Thread.interrupted();
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void lockInterruptibly() throws InterruptedException {
            failIfInterrupted();
            if (reenter()) {
                return;
            }
            try {
                hold(locks.acquire(name, options(null)));
            } catch (LockInterruptedException e) {
                throw asInterruptedException(e);
            }
        }

        @Override
        public boolean tryLock() {
            if (reenter()) {
                return true;
            }
            Optional<io.distlock.Lock> lock = locks.tryAcquire(name, options(Duration.ZERO));
            lock.ifPresent(this::hold);
            return lock.isPresent();
        }

        @Override
        public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
            failIfInterrupted();
            if (reenter()) {
                return true;
            }
            Duration wait = Duration.ofNanos(Math.max(0, unit.toNanos(time)));
            try {
                hold(locks.acquire(name, options(wait)));
                return true;
            } catch (io.distlock.LockTimeoutException busy) {
                return false;
            } catch (LockInterruptedException e) {
                throw asInterruptedException(e);
            }
        }

        @Override
        public void unlock() {
            Holding holding = held.get(name);
            if (holding == null || holding.thread != Thread.currentThread()) {
                throw new IllegalMonitorStateException("the current thread does not hold lock '" + name + "'");
            }
            if (--holding.count > 0) {
                return;
            }
            // Forgotten before the backend's release: a thread of this registry that gets the lock
            // next must not have its entry removed by this one.
            held.remove(name, holding);
            if (!holding.lock.release()) {
                throw new IllegalStateException("lock '" + name + "' was no longer held when unlocked (its lease ran "
                        + "out or it was force-released): what it protected may have been changed by another holder");
            }
        }

        @Override
        public Condition newCondition() {
            throw new UnsupportedOperationException("distlock's locks have no conditions");
        }

        @Override
        public String toString() {
            return "DistlockLockRegistry lock '" + io.distlock.spi.Printable.of(name) + "'";
        }
    }
}
