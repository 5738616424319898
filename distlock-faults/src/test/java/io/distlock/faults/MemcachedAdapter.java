package io.distlock.faults;

import io.distlock.testkit.server.TestBackend;

import java.util.Set;

/**
 * One private memcached ({@link TestBackend#MEMCACHED}: loopback, 64 MB; memcached keeps nothing on
 * disk, so a restart forgets every lock).
 */
final class MemcachedAdapter extends ServerAdapter {
    static final Set<Fault> FAULTS = faultsOf(TestBackend.MEMCACHED);

    MemcachedAdapter() {
        super(TestBackend.MEMCACHED);
    }

    @Override
    public String name() {
        return "memcached";
    }
}
