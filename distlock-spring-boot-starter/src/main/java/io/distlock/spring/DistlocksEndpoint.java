package io.distlock.spring;

import io.distlock.LockInfo;
import io.distlock.LockManager;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.lang.Nullable;

import java.util.List;

/**
 * The {@code distlocks} actuator endpoint, read-only:
 * {@code GET /actuator/distlocks[?prefix=p][&limit=n]} lists held locks (at most
 * {@value #DEFAULT_LIMIT} unless {@code limit} says otherwise), {@code GET /actuator/distlocks/{name}}
 * shows one (404 when free).
 * {@link Writable} adds force-release, only with {@code distlock.endpoint.force-release-enabled=true}.
 */
@Endpoint(id = "distlocks")
public class DistlocksEndpoint {
    /** How many locks {@code GET /actuator/distlocks} shows when the request names no {@code limit}. */
    public static final int DEFAULT_LIMIT = 1000;
    protected final LockManager locks;

    public DistlocksEndpoint(LockManager locks) {
        this.locks = locks;
    }

    /**
     * {@code GET /actuator/distlocks[?prefix=p][&limit=n]}: at most {@code limit} held locks whose
     * names start with {@code prefix} (all when absent), sorted by name. The answer stays a JSON
     * array; when it holds exactly {@code limit} locks there may be more: ask again with a larger
     * limit or a longer prefix.
     *
     * @param prefix only names starting with this; all when null
     * @param limit  at most this many; {@value #DEFAULT_LIMIT} when null
     * @throws InvalidEndpointRequestException (HTTP 400) if {@code limit} is less than 1
     */
    @ReadOperation
    public List<LockInfo> locks(@Nullable String prefix, @Nullable Integer limit) {
        int max = limit == null ? DEFAULT_LIMIT : limit;
        if (max < 1) {
            throw new InvalidEndpointRequestException("limit must be at least 1 but was " + max,
                    "limit must be at least 1");
        }
        return locks.list(prefix == null ? "" : prefix, max).locks();
    }

    @ReadOperation
    public @Nullable LockInfo lock(@Selector String name) {
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
