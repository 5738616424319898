package io.distlock;

import java.time.Duration;

/**
 * The contract's defaults (rule 2.1), written once: the manager, the SPI's requests, the command
 * line and the Spring Boot starter all take them from here. A manager's own defaults
 * ({@link LockManager.Builder}) and each call's {@link LockOptions} override them.
 */
public final class LockDefaults {
    /** How long the backend keeps a lock whose holder never releases it: 20 s. */
    public static final Duration LEASE = Duration.ofSeconds(20);
    /**
     * How long an acquisition waits for a busy lock before it gives up: 10 s (Java's
     * {@code waitTime}, the command line's {@code --wait}, the starter's {@code distlock.wait}).
     */
    public static final Duration WAIT = Duration.ofSeconds(10);
    /** How often a waiter without a wake-up from the backend asks again: 50 ms, before jitter of up to +50 %. */
    public static final Duration RETRY_INTERVAL = Duration.ofMillis(50);

    private LockDefaults() {
    }
}
