package io.distlock;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;

/** What one acquisition returns. Reentrant acquisitions get their own handle on the shared lease. */
final class Handle implements Lock {
    private final LeaseState lease;
    private final AtomicBoolean released = new AtomicBoolean();

    Handle(LeaseState lease) {
        this.lease = lease;
    }

    @Override
    public String name() {
        return lease.name;
    }

    @Override
    public long token() {
        return lease.token;
    }

    @Override
    public Instant expiresAt() {
        return lease.expiresAt();
    }

    @Override
    public boolean isHeld() {
        return !released.get() && lease.isValid();
    }

    @Override
    public boolean verify() {
        return !released.get() && lease.engine.verify(lease);
    }

    @Override
    public void extend(Duration length) {
        if (released.get()) {
            Validation.positive("lease", length);
            throw new LockLostException("Cannot extend lock '" + lease.name + "' (token " + lease.token
                    + "): this handle was released");
        }
        lease.engine.extend(lease, length);
    }

    @Override
    public boolean release() {
        if (!released.compareAndSet(false, true)) {
            return false;
        }
        return lease.engine.releaseHold(lease);
    }

    @Override
    public void close() {
        release();
    }

    @Override
    public String toString() {
        return "Lock{name='" + lease.name + "', token=" + lease.token + ", " + (released.get() ? "released"
                : lease.stateName()) + ", expiresAt=" + lease.expiresAt() + "}";
    }
}
