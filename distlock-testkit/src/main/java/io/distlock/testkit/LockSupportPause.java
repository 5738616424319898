package io.distlock.testkit;

import java.util.concurrent.locks.LockSupport;

/** One short pause of a polling loop with a deadline (never a synchronization by itself). */
final class LockSupportPause {
    private LockSupportPause() {
    }

    static void pause() {
        LockSupport.parkNanos(2_000_000L);
    }
}
