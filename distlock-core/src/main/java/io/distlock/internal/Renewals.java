package io.distlock.internal;

import io.distlock.LockLostException;
import io.distlock.spi.Durations;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The timed work on one manager's leases, on one scheduler thread per manager (not a thread per
 * lock): auto-renewal, and the checks of suspended leases.
 *
 * <p>Each renewal reschedules itself at a third of the current lease (contract 3.5). A renewal the
 * backend refuses marks the lock lost; one that fails (no answer, a dropped connection) suspends it,
 * since the lock may well still be ours: the suspended lease is then checked again until the
 * backend answers (restored, or lost if it is no longer ours) or its local validity runs out (lost).
 *
 * <p>Checks run here, never on the thread that reported the event: a backend reports connection
 * changes from its client's I/O thread, which must not wait for its own round trips.
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
        long delay = Math.max(1, Durations.saturatedNanos(lease.length()) / 3);
        try {
            lease.renewal = scheduler.schedule(() -> renew(lease), delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // The manager is closing; close() releases this lease.
        }
    }

    private void renew(LeaseState lease) {
        if (!lease.isState(LeaseState.HELD)) {
            return; // released or lost; a suspended lease is renewed by its restore check
        }
        try {
            engine.extend(lease, lease.length());
            if (lease.isState(LeaseState.HELD)) {
                schedule(lease);
            }
        } catch (LockLostException alreadyMarked) {
            // extend() marked it lost and told the listeners.
        } catch (RuntimeException failure) {
            engine.suspend(lease, failure);
            checkSoon(lease);
        }
    }

    /** Marks {@code lease} lost if it is still suspended when its local validity runs out. */
    void expireIfStillSuspended(LeaseState lease, long remainingNanos) {
        try {
            lease.expiry = scheduler.schedule(() -> {
                if (lease.isState(LeaseState.SUSPENDED)) {
                    engine.markLost(lease, new LockLostException("Lock '" + lease.name + "' (token " + lease.token
                            + ") is lost: its lease ran out while it was suspended (the backend could not confirm it)"));
                }
            }, Math.max(0, remainingNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // The manager is closing; close() releases this lease.
        }
    }

    /** Checks a suspended lease with the backend now (the connection is back). */
    void checkNow(LeaseState lease) {
        check(lease, 0);
    }

    /** Checks a suspended lease again after a pause, since the last check got no answer. */
    void checkSoon(LeaseState lease) {
        // Often enough to restore a lock well within its lease, rarely enough not to load a backend
        // that is struggling.
        long pause = Math.min(TimeUnit.SECONDS.toNanos(1), Math.max(TimeUnit.MILLISECONDS.toNanos(20),
                Durations.saturatedNanos(lease.length()) / 10));
        check(lease, pause);
    }

    private void check(LeaseState lease, long delayNanos) {
        try {
            scheduler.schedule(() -> {
                if (lease.isState(LeaseState.SUSPENDED) && !engine.restoreIfOwned(lease)) {
                    checkSoon(lease);
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // The manager is closing; close() releases this lease.
        }
    }

    void shutdown() {
        scheduler.shutdownNow();
    }
}
