package io.distlock;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Checks shared by the API and the engine; messages always quote the bad value. */
final class Validation {
    static final Duration FOREVER = Duration.ofSeconds(-1);
    static final int MAX_NAME_BYTES = 1024;

    private Validation() {
    }

    static Duration positive(String what, Duration value) {
        if (value == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive but was " + value);
        }
        return value;
    }

    static String name(String name) {
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

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
