package io.distlock.memory;

import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.net.URI;
import java.util.Set;

/** {@code memory:}: a new, private in-memory backend (one JVM; mostly for tests). */
public final class InMemoryBackendProvider implements LockBackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public LockBackend open(URI uri) {
        return InMemoryLockBackend.create();
    }
}
