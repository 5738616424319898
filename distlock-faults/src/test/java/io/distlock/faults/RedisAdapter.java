package io.distlock.faults;

import io.distlock.testkit.server.TestBackend;

import java.util.Set;

/** A single private redis-server (no persistence, as {@link TestBackend#REDIS} starts it). */
final class RedisAdapter extends ServerAdapter {
    static final Set<Fault> FAULTS = faultsOf(TestBackend.REDIS);

    RedisAdapter() {
        super(TestBackend.REDIS);
    }

    @Override
    public String name() {
        return "redis";
    }
}
