package io.distlock.internal;

import io.distlock.Lock;
import io.distlock.LockLostException;

import java.time.Duration;
import java.time.Instant;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** What one acquisition returns. Reentrant acquisitions get their own handle on the shared lease. */
final class Handle implements Lock {
    /** A field plus a VarHandle rather than an AtomicBoolean: one object per acquisition, not two. */
    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Handle.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final LeaseState lease;
    private volatile boolean released;

    Handle(LeaseState lease) {
        this.lease = lease;
    }

    /** The owner id of this handle's acquisition. */
    String ownerId() {
        return lease.ownerId;
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
        return !released && lease.isValid();
    }

    @Override
    public boolean verify() {
        return !released && lease.engine.verify(lease);
    }

    @Override
    public void extend(Duration length) {
        if (released) {
            Validation.lease("lease", length);
            throw new LockLostException("Cannot extend lock '" + lease.name + "' (token " + lease.token
                    + "): this handle was released");
        }
        lease.engine.extend(lease, length);
    }

    @Override
    public boolean release() {
        if (!RELEASED.compareAndSet(this, false, true)) {
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
        return "Lock{name='" + lease.name + "', token=" + lease.token + ", " + (released ? "released"
                : lease.stateName()) + ", expiresAt=" + lease.expiresAt() + "}";
    }
}
