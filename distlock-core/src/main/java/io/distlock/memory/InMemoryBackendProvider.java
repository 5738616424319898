package io.distlock.memory;

import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.util.Set;

/** {@code memory:}: a new, private in-memory backend (one JVM; mostly for tests). */
public final class InMemoryBackendProvider implements LockBackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public LockBackend open(String uri) {
        return InMemoryLockBackend.create();
    }
}
