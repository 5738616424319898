package io.distlock.benchmarks.redis;

import io.distlock.benchmarks.harness.LockClient;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

import java.util.concurrent.TimeUnit;

/** Redisson's RLock with its default single-server settings, lease 30 s like the others. */
final class RedissonLockClient implements LockClient {
    private final RedissonClient redisson;

    RedissonLockClient(String uri) {
        Config config = new Config();
        config.useSingleServer().setAddress(uri);
        redisson = Redisson.create(config);
    }

    @Override
    public Held acquire(String name) {
        RLock lock = redisson.getLock("redisson:" + name);
        lock.lock(30, TimeUnit.SECONDS);
        return lock::unlock;
    }

    @Override
    public void close() {
        redisson.shutdown();
    }
}
