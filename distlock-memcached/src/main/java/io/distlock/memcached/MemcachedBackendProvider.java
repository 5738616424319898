package io.distlock.memcached;

import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.util.Set;

/** Opens {@code memcached://} (and {@code memcached:}) URIs; see {@link MemcachedLockBackend} for the parameters. */
public final class MemcachedBackendProvider implements LockBackendProvider {
    @Override
    public Set<String> schemes() {
        return MemcachedSettings.SCHEMES;
    }

    @Override
    public LockBackend open(String uri) {
        return MemcachedLockBackend.open(uri);
    }
}
