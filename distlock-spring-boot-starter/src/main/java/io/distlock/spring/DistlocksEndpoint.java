package io.distlock.spring;

import io.distlock.LockInfo;
import io.distlock.LockManager;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.lang.Nullable;

import java.util.Comparator;
import java.util.List;

/**
 * The {@code distlocks} actuator endpoint, read-only: {@code GET /actuator/distlocks[?prefix=p]}
 * lists held locks, {@code GET /actuator/distlocks/{name}} shows one (404 when free).
 * {@link Writable} adds force-release, only with {@code distlock.endpoint.force-release-enabled=true}.
 */
@Endpoint(id = "distlocks")
public class DistlocksEndpoint {
    protected final LockManager locks;

    public DistlocksEndpoint(LockManager locks) {
        this.locks = locks;
    }

    @ReadOperation
    public List<LockInfo> locks(@Nullable String prefix) {
        return locks.list(prefix == null ? "" : prefix).stream().sorted(Comparator.comparing(LockInfo::name)).toList();
    }

    @ReadOperation
    public LockInfo lock(@Selector String name) {
        return locks.inspect(name).orElse(null);
    }

    /** With force-release: {@code DELETE /actuator/distlocks/{name}} removes the lock whoever holds it. */
    @Endpoint(id = "distlocks")
    public static class Writable extends DistlocksEndpoint {
        public Writable(LockManager locks) {
            super(locks);
        }

        @org.springframework.boot.actuate.endpoint.annotation.DeleteOperation
        public boolean forceRelease(@Selector String name) {
            return locks.forceRelease(name);
        }
    }
}
