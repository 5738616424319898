package io.distlock.redis;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One set of Lettuce event-loop and timer threads for every backend of this JVM, as Lettuce
 * recommends: each backend still has its own connections, but a JVM with several managers does not
 * pay for several thread pools. Reference-counted, so the threads go away with the last backend.
 */
final class SharedClientResources {
    /**
     * Reconnect attempts back off from 10 ms to at most 1 s: a restarted server is found within a
     * second, and a dead one costs one connection attempt per second per connection.
     */
    private static final Delay RECONNECT_DELAY = Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1),
            2, TimeUnit.MILLISECONDS);

    private static @Nullable ClientResources resources;
    private static int users;

    private SharedClientResources() {
    }

    static synchronized ClientResources acquire() {
        ClientResources shared = resources;
        if (users++ == 0 || shared == null) {
            shared = DefaultClientResources.builder().reconnectDelay(RECONNECT_DELAY).build();
            resources = shared;
        }
        return shared;
    }

    static synchronized void release() {
        if (users == 0) {
            return;
        }
        ClientResources shared = resources;
        if (--users == 0 && shared != null) {
            shared.shutdown(0, 2, TimeUnit.SECONDS);
            resources = null;
        }
    }
}
