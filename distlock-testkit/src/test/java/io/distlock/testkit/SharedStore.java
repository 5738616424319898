package io.distlock.testkit;

import io.distlock.spi.ForwardingLockBackend;
import io.distlock.spi.LockBackend;

/**
 * Lets several managers share one in-JVM backend, as managers in different processes share a
 * server: closing a manager must not wipe the store the others still use.
 */
final class SharedStore extends ForwardingLockBackend {
    SharedStore(LockBackend store) {
        super(store);
    }

    @Override
    public void close() {
        // The store outlives each manager, like a server.
    }
}
