package io.distlock.internal;

import io.distlock.LockLostListener;
import io.distlock.LockOptions;

import java.time.Duration;
import java.util.function.Function;

/** The effective options of one call: the manager's defaults with the call's options laid over them. */
record Settings(Duration lease, Duration timeout, Duration retryInterval, boolean reentrant,
                boolean autoRenew, LockLostListener onLost,
                Function<String, ? extends RuntimeException> onConflict, boolean conflictMode) {

    Settings with(LockOptions o) {
        return new Settings(
                o.lease().orElse(lease),
                o.waitTime().orElse(timeout),
                o.retryInterval().orElse(retryInterval),
                o.reentrant().orElse(reentrant),
                o.autoRenew().orElse(autoRenew),
                o.onLost().orElse(null),
                o.onConflict().orElse(null),
                o.conflictMode());
    }
}
