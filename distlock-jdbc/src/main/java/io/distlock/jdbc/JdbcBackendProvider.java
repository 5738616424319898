package io.distlock.jdbc;

import io.distlock.spi.LockBackend;
import io.distlock.spi.LockBackendProvider;

import java.util.Set;

/** Opens {@code jdbc:} URIs ({@code jdbc:postgresql://...}, {@code jdbc:mariadb://...}, {@code jdbc:h2:...}); see {@link JdbcLockBackend}. */
public final class JdbcBackendProvider implements LockBackendProvider {
    @Override
    public Set<String> schemes() {
        return Set.of("jdbc");
    }

    @Override
    public LockBackend open(String uri) {
        return JdbcLockBackend.open(uri);
    }
}
