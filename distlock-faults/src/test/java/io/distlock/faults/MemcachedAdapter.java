package io.distlock.faults;

import io.distlock.testkit.server.MemcachedServers;

import java.util.Set;

/**
 * One private memcached ({@link MemcachedServers}: loopback, 64 MB; memcached keeps nothing on
 * disk, so a restart forgets every lock).
 */
final class MemcachedAdapter extends ServerAdapter {
    static final Set<Fault> FAULTS = SERVER_FAULTS;

    MemcachedAdapter() {
        super(MemcachedServers.start());
    }

    @Override
    public String name() {
        return "memcached";
    }

    @Override
    String uri(int port) {
        return "memcached://127.0.0.1:" + port + "?" + TIMEOUTS;
    }
}
