package io.distlock.redis;

import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.util.Set;

/**
 * Opens {@code redis://}, {@code rediss://}, {@code redis-sentinel://} and {@code rediss-sentinel://}
 * URIs; see {@link RedisLockBackend} for the parameters.
 */
public final class RedisBackendProvider implements LockBackendProvider {
    @Override
    public Set<String> schemes() {
        return RedisSettings.SCHEMES;
    }

    @Override
    public LockBackend open(String uri) {
        return RedisLockBackend.open(uri);
    }
}
