package io.distlock.internal;

import io.distlock.Ticker;
import org.jspecify.annotations.Nullable;

import io.distlock.spi.AcquireRequest;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads of one JVM waiting for one name, in arrival order. The first {@link Ticket} in the
 * queue has the <i>turn</i>: only its thread asks the backend, and the release counter lets it
 * park until a release is signalled without missing one that lands between its attempt and its
 * park. The others park until they come first.
 *
 * <p>The first ticket can also be handed the lock: a thread of this JVM that releases the name
 * claims it and asks the backend to pass the lock straight to it ({@code LockBackend.handOver}).
 * Exactly one side wins a ticket: the releaser's claim or its owner's withdrawal. A claimed ticket
 * always gets a decision, which its owner waits for; that wait is bounded by the backend's timeout.
 */
final class NameWaiters {
    /**
     * Threads that use this queue. Changed only inside the map's compute (LocalWaiting.join and
     * leave), which decides when the queue goes; volatile so that a message may read it elsewhere.
     */
    private volatile int users;

    /**
     * The release count a waiter of this JVM saw just before it took the lock, or -1. While the
     * count is unchanged that holder has not released, so the next turn holder parks, not tries.
     */
    volatile long takenLocallyAt = -1;

    private final ConcurrentLinkedQueue<Ticket> queue = new ConcurrentLinkedQueue<>();
    private final ReentrantLock monitor = new ReentrantLock();
    private final Condition changed = monitor.newCondition();
    /**
     * Bumped under {@code monitor}, so a waiter cannot miss a release between its check and its
     * await; read without it (volatile) to take a snapshot. Not {@code @GuardedBy}: the checker
     * would ask for the lock on that read too.
     */
    private volatile long releases;

    /** Under the map's compute only. */
    void addUser() {
        users++;
    }

    /** Under the map's compute only; the users left. */
    int removeUser() {
        return --users;
    }

    /** The current count, for messages. */
    int users() {
        return users;
    }

    long releases() {
        return releases;
    }

    void signalReleased() {
        monitor.lock();
        try {
            releases++;
            changed.signalAll();
        } finally {
            monitor.unlock();
        }
    }

    void awaitRelease(long seen, long nanos) throws InterruptedException {
        monitor.lock();
        try {
            while (releases == seen && nanos > 0) {
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            monitor.unlock();
        }
    }

    Ticket enqueue(Settings settings) {
        Ticket ticket = new Ticket(Thread.currentThread(), settings);
        queue.add(ticket);
        return ticket;
    }

    /**
     * Parks until {@code ticket} is first, the deadline passes (false) or the thread is
     * interrupted. {@code deadline} is a reading of {@code ticker}; negative timeouts mean none.
     */
    boolean awaitTurn(Ticket ticket, boolean forever, long deadline, Ticker ticker) throws InterruptedException {
        while (queue.peek() != ticket) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (forever) {
                LockSupport.park(this);
            } else {
                long remaining = deadline - ticker.read();
                if (remaining <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, remaining);
            }
        }
        return true;
    }

    /** The first ticket, claimed for a hand-over; null if there is none or its owner is leaving. */
    @Nullable Ticket claimFirst() {
        Ticket first = queue.peek();
        return first != null && first.claim() ? first : null;
    }

    /** Takes {@code ticket} out of the queue and wakes the thread that is first now. */
    void remove(Ticket ticket) {
        queue.remove(ticket);
        Ticket first = queue.peek();
        if (first != null) {
            LockSupport.unpark(first.owner);
        }
    }

    /** One waiting thread's place in the queue, and what a releaser needs to hand it the lock. */
    static final class Ticket {
        private static final int WAITING = 0;
        private static final int CLAIMED = 1;
        private static final int DECIDED = 2;
        private static final int WITHDRAWN = 3;

        final Thread owner;
        final String ownerName;
        final Settings settings;
        private final AtomicInteger state = new AtomicInteger();
        // Written by the releaser before the volatile write of DECIDED, read by the owner after it.
        private long token;
        private long sentAt;
        private @Nullable AcquireRequest request;

        Ticket(Thread owner, Settings settings) {
            this.owner = owner;
            this.ownerName = owner.getName();
            this.settings = settings;
        }

        private boolean claim() {
            return state.compareAndSet(WAITING, CLAIMED);
        }

        /** The releaser's outcome: {@code token > 0} if the lock is this ticket's owner's now, else 0. */
        void decide(long token, AcquireRequest request, long sentAt) {
            this.token = token;
            this.request = request;
            this.sentAt = sentAt;
            state.set(DECIDED);
            LockSupport.unpark(owner);
        }

        /**
         * By the owner: whether a hand-over gave it the lock. If a releaser claimed the ticket,
         * waits (uninterruptibly, keeping the interrupt status) for its decision; a decision
         * without a token puts the ticket back in play, one with a token is used up.
         */
        boolean received() {
            if (state.get() == WAITING) {
                return false;
            }
            awaitDecision();
            if (token > 0) {
                state.set(WITHDRAWN);
                return true;
            }
            state.set(WAITING);
            return false;
        }

        /**
         * By the owner, on its way out: withdraws the ticket, so no releaser can claim it any more.
         * True if a hand-over gave the owner the lock before that and {@link #received()} did not
         * report it: the owner must then use or release it.
         */
        boolean withdraw() {
            while (true) {
                int current = state.get();
                if (current == WITHDRAWN || (current == WAITING && state.compareAndSet(WAITING, WITHDRAWN))) {
                    return false;
                }
                if (current == DECIDED) {
                    state.set(WITHDRAWN);
                    return token > 0;
                }
                awaitDecision();
            }
        }

        private void awaitDecision() {
            boolean interrupted = false;
            while (state.get() == CLAIMED) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(10));
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        long token() {
            return token;
        }

        long sentAt() {
            return sentAt;
        }

        /** The request the releaser made for this ticket's owner; only after a decision. */
        AcquireRequest request() {
            AcquireRequest decided = request;
            if (decided == null) {
                throw new IllegalStateException("no hand-over was decided for this ticket");
            }
            return decided;
        }
    }
}
