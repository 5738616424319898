package io.distlock.zookeeper;

import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.util.Set;

/** Opens {@code zookeeper://} URIs; see {@link ZooKeeperLockBackend} for the parameters. */
public final class ZooKeeperBackendProvider implements LockBackendProvider {
    /** For {@link java.util.ServiceLoader}; applications use {@code LockBackends.open("zookeeper://...")}. */
    public ZooKeeperBackendProvider() {
    }

    @Override
    public Set<String> schemes() {
        return Set.of(ZooKeeperSettings.SCHEME);
    }

    @Override
    public LockBackend open(String uri) {
        return ZooKeeperLockBackend.open(uri);
    }
}
