package io.distlock.faults;

import io.distlock.testkit.server.RedisServers;

import java.util.Set;

/** A single private redis-server (no persistence, as {@link RedisServers} starts it). */
final class RedisAdapter extends ServerAdapter {
    static final Set<Fault> FAULTS = SERVER_FAULTS;
    static final String PARAMETERS = "?" + TIMEOUTS;

    RedisAdapter() {
        super(RedisServers.start());
    }

    @Override
    public String name() {
        return "redis";
    }

    @Override
    String uri(int port) {
        return "redis://127.0.0.1:" + port + PARAMETERS;
    }
}
