package io.distlock.memcached;

import io.distlock.spi.HolderRecord;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;

/**
 * Memcached's wire format of a {@link HolderRecord}, the value stored under a lock key:
 * {@code 1 <owner> <host> <pid> <thread> <acquiredAt ms> <expiresAt ms>}, text fields URL-encoded so
 * that none contains a space. The owner id is what release and extend compare; the rest is for
 * {@code inspect}. The fencing token is not here: it is the value of the lock's counter, which only
 * a holder increments ({@link MemcachedLockBackend}).
 */
final class LockValue {
    private static final String VERSION = "1";

    private LockValue() {
    }

    static String encode(HolderRecord holder) {
        return VERSION + ' ' + enc(holder.ownerId()) + ' ' + enc(holder.host()) + ' ' + holder.pid() + ' '
                + enc(holder.thread()) + ' ' + holder.acquiredAt().toEpochMilli() + ' '
                + holder.expiresAt().toEpochMilli();
    }

    /** The decoded value; empty if it is not one of ours (another program wrote the key). */
    static Optional<HolderRecord> decode(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String[] parts = text.split(" ", -1);
        if (parts.length != 7 || !parts[0].equals(VERSION)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new HolderRecord(dec(parts[1]), dec(parts[2]), Long.parseLong(parts[3]), dec(parts[4]),
                    Instant.ofEpochMilli(Long.parseLong(parts[5])), Instant.ofEpochMilli(Long.parseLong(parts[6]))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
