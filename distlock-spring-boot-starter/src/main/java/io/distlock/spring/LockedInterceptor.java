package io.distlock.spring;

import io.distlock.Lock;
import io.distlock.LockException;
import io.distlock.LockManager;
import io.distlock.LockTimeoutException;
import io.distlock.spi.Durations;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Runs one call of an annotated method under the lock its {@link LockPlan} names. */
final class LockedInterceptor implements MethodInterceptor {
    private static final Logger log = LoggerFactory.getLogger(LockedInterceptor.class);
    /** How far past the minimum hold the lease reaches, so the release at minHold finds it still ours. */
    private static final Duration RELEASE_MARGIN = Duration.ofSeconds(5);

    private final ObjectProvider<LockManager> locks;
    private final LockedAdvisor.Plans plans;
    /** Releases locks kept for their minimum hold; started at the first such lock. */
    private volatile @Nullable ScheduledThreadPoolExecutor releases;
    private volatile @Nullable LockManager manager;

    LockedInterceptor(ObjectProvider<LockManager> locks, LockedAdvisor.Plans plans) {
        this.locks = locks;
        this.plans = plans;
    }

    @Override
    public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Class<?> targetClass = target == null ? invocation.getMethod().getDeclaringClass() : AopUtils.getTargetClass(target);
        LockPlan plan = plans.get(invocation.getMethod(), targetClass);
        if (plan == null) {
            return invocation.proceed();
        }
        LockManager locks = manager();
        String name = plan.name(target, invocation.getArguments());
        Lock lock;
        if (plan.skipWhenBusy) {
            Optional<Lock> got = plan.tryOnce ? locks.tryAcquire(name, plan.options) : acquireOrEmpty(locks, name, plan);
            if (got.isEmpty()) {
                log.debug("Skipped {}: lock '{}' is held elsewhere, so another instance runs this tick",
                        plan.method, name);
                return null;
            }
            lock = got.get();
        } else {
            lock = locks.acquire(name, plan.options);
        }
        long acquired = System.nanoTime();
        try {
            return invocation.proceed();
        } finally {
            if (plan.minHold == null) {
                lock.close();
            } else {
                holdAtLeast(lock, Durations.saturatedNanos(plan.minHold) - (System.nanoTime() - acquired));
            }
        }
    }

    private static Optional<Lock> acquireOrEmpty(LockManager locks, String name, LockPlan plan) {
        try {
            return Optional.of(locks.acquire(name, plan.options));
        } catch (LockTimeoutException busy) {
            return Optional.empty();
        }
    }

    /**
     * Keeps {@code lock} until {@code remainingNanos} from now (measured on this host's monotonic
     * clock from the moment the backend's answer arrived, so it is never shorter on the backend),
     * then releases it. The lease is stretched first when it would end sooner: a process that dies
     * meanwhile leaves the lock until the minimum hold plus a margin, never less.
     */
    private void holdAtLeast(Lock lock, long remainingNanos) {
        if (remainingNanos <= 0) {
            lock.close();
            return;
        }
        Duration remaining = Duration.ofNanos(remainingNanos);
        try {
            if (lock.expiresAt().isBefore(Durations.plus(Instant.now(), remaining))) {
                // A minimum hold near the maximum duration keeps what the margin cannot add.
                Duration stretched = remaining.plus(RELEASE_MARGIN);
                lock.extend(stretched.compareTo(Durations.MAX) > 0 ? Durations.MAX : stretched);
            }
        } catch (LockException e) {
            log.warn("Could not keep lock '{}' for its minimum hold, releasing it now: {}", lock.name(), e.toString());
            lock.close();
            return;
        }
        releases().schedule(lock::close, remainingNanos, TimeUnit.NANOSECONDS);
    }

    private LockManager manager() {
        LockManager current = manager;
        if (current == null) {
            current = locks.getObject();
            manager = current;
        }
        return current;
    }

    private ScheduledThreadPoolExecutor releases() {
        ScheduledThreadPoolExecutor current = releases;
        if (current == null) {
            synchronized (this) {
                current = releases;
                if (current == null) {
                    current = new ScheduledThreadPoolExecutor(1, runnable -> {
                        Thread thread = new Thread(runnable, "distlock-min-hold");
                        thread.setDaemon(true);
                        return thread;
                    });
                    current.setRemoveOnCancelPolicy(true);
                    releases = current;
                }
            }
        }
        return current;
    }

    /** At context close: locks still in their minimum hold are released by the manager's own close. */
    void close() {
        ScheduledThreadPoolExecutor current = releases;
        if (current != null) {
            current.shutdownNow();
        }
    }
}
