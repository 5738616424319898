package io.distlock.internal;

import io.distlock.spi.Durations;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Checks shared by the API and the engine; messages always quote the bad value. */
public final class Validation {
    public static final Duration FOREVER = Durations.FOREVER;
    public static final int MAX_NAME_BYTES = 1024;

    private Validation() {
    }

    public static Duration positive(String what, Duration value) {
        return Durations.requirePositive(what, value);
    }

    public static String name(String name) {
        if (name == null) {
            throw new IllegalArgumentException("lock name must not be null");
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("lock name must not be empty");
        }
        if (name.length() > MAX_NAME_BYTES / 3) {
            int bytes = name.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_NAME_BYTES) {
                throw new IllegalArgumentException("lock name must be at most " + MAX_NAME_BYTES
                        + " UTF-8 bytes but was " + bytes + " bytes: '" + abbreviate(name) + "'");
            }
        }
        return name;
    }

    public static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
