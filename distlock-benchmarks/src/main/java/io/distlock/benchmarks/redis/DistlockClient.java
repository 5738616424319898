package io.distlock.benchmarks.redis;

import io.distlock.Lock;
import io.distlock.LockManager;
import io.distlock.LockOptions;
import io.distlock.redis.RedisLockBackend;

import java.time.Duration;

/** distlock with its defaults (retry interval 50 ms as the safety net, pub/sub wake-ups). */
final class DistlockClient implements LockClient {
    private static final LockOptions OPTIONS = LockOptions.builder().lease(Duration.ofSeconds(30)).waitForever().build();
    private final LockManager manager;

    DistlockClient(String uri) {
        manager = LockManager.builder(RedisLockBackend.open(uri + "?namespace=bench")).build();
    }

    @Override
    public Held acquire(String name) {
        Lock lock = manager.acquire(name, OPTIONS);
        return lock::release;
    }

    @Override
    public void close() {
        manager.close();
    }
}
