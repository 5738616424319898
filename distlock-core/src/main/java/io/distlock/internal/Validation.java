package io.distlock.internal;

import io.distlock.spi.Durations;
import io.distlock.spi.LockNames;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Checks shared by the API and the engine; messages always quote the bad value. */
public final class Validation {
    public static final Duration FOREVER = Durations.FOREVER;
    public static final int MAX_NAME_BYTES = 1024;

    private Validation() {
    }

    /**
     * The shortest lease that can ever be valid: the holder counts a lease less a drift allowance of
     * 1 % plus 2 ms (contract 3.3), so anything up to about 2 ms would be lost the moment it is taken.
     */
    public static final Duration MIN_LEASE = Duration.ofMillis(3);

    public static Duration positive(String what, Duration value) {
        return Durations.requirePositive(what, value);
    }

    /** A lease: positive and long enough to outlast the drift allowance. */
    public static Duration lease(String what, Duration value) {
        Durations.requirePositive(what, value);
        if (value.compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException(what + " must be at least " + MIN_LEASE.toMillis() + " ms (shorter "
                    + "leases are gone within the drift allowance of 1 % + 2 ms) but was " + value);
        }
        return value;
    }

    /**
     * A wait: zero tries once, negative waits forever, else at most {@link Durations#MAX}. A longer
     * one (such as {@code ChronoUnit.FOREVER.getDuration()}) is refused: a wait without limit is
     * asked for as such, never as a huge duration.
     */
    public static Duration timeout(String what, Duration value) {
        notNull(what, value);
        if (value.isNegative()) {
            return FOREVER;
        }
        return Durations.requireAtMost(what, value);
    }

    /** Contract 6.2: a null where a value is needed is a bad argument, named. */
    public static <T> T notNull(String what, T value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        return value;
    }

    public static String name(String name) {
        if (name == null) {
            throw new IllegalArgumentException("lock name must not be null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("lock name must not be empty");
        }
        // Refused here, once, so that no backend maps two names to one key: UTF-8 (every SQL
        // backend's encoding) turns any unpaired surrogate into '?'. The SPI's rule, so a backend
        // that refuses such a name itself says the same.
        LockNames.requireWellFormed(name);
        if (name.length() > MAX_NAME_BYTES / 3) {
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_NAME_BYTES) {
                throw new IllegalArgumentException("lock name must be at most " + MAX_NAME_BYTES
                        + " UTF-8 bytes but was " + bytes + " bytes: '" + abbreviate(name) + "'");
            }
        }
        return name;
    }

    /** A {@code list} limit: at least 1. */
    public static int limit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1 but was " + limit);
        }
        return limit;
    }

    public static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
