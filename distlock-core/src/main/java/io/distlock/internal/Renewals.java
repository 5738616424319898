package io.distlock.internal;

import io.distlock.LockLostException;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Auto-renewal of one manager's leases, on one scheduler thread per manager (not a thread per
 * lock). Each renewal reschedules itself at a third of the current lease (contract 3.5); a refused
 * or failed renewal marks the lock lost and calls its listener.
 */
final class Renewals {
    private final LockEngine engine;
    private final ScheduledExecutorService scheduler;

    Renewals(LockEngine engine) {
        this.engine = engine;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "distlock-renewal");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.scheduler = executor;
    }

    /** Renews {@code lease} a third of its length from now, and again after each renewal. */
    void schedule(LeaseState lease) {
        long delay = Math.max(1, lease.length().toNanos() / 3);
        try {
            lease.renewal = scheduler.schedule(() -> renew(lease), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // The manager is closing; close() releases this lease.
        }
    }

    private void renew(LeaseState lease) {
        if (!lease.isState(LeaseState.HELD)) {
            return;
        }
        try {
            engine.extend(lease, lease.length());
            if (lease.isState(LeaseState.HELD)) {
                schedule(lease);
            }
        } catch (LockLostException alreadyMarked) {
            // extend() marked it lost and told the listeners.
        } catch (RuntimeException failure) {
            engine.markLost(lease, new LockLostException("Renewal of lock '" + lease.name + "' (token " + lease.token
                    + ") failed, so the lock may be lost: " + failure.getMessage(), failure));
        }
    }

    void shutdown() {
        scheduler.shutdownNow();
    }
}
