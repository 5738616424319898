package io.distlock.memcached;

import io.distlock.spi.LockNames;

import java.util.HexFormat;

/**
 * Where a namespace's locks live in memcached. Deterministic (the same key for a name on every
 * host and JVM) and injective, within memcached's key rules: at most 250 bytes of printable ASCII
 * without spaces.
 *
 * <p>Every key is {@code <namespace>:<kind>:<body>}, where the body never contains {@code :}.
 * Reading a key from the right therefore gives back its namespace, kind and body, so two different
 * namespaces (even {@code app} and {@code app:l}) can never produce the same key.
 *
 * <ul>
 *   <li>{@code l}: the name's bytes ({@link LockNames#bytes}: UTF-8), with every byte outside {@code A-Z a-z 0-9 - . _ ~ /}
 *       written {@code %XX} (so {@code %}, {@code :}, spaces, control characters and non-ASCII are
 *       escaped), when the whole key stays within 249 bytes;</li>
 *   <li>{@code L}: otherwise, the lowercase hex SHA-256 of the name's bytes (64 characters);</li>
 *   <li>the fencing-token counter of a lock: the lock key with {@code t} before its kind
 *       ({@code ns:tl:...}), hence the 249-byte limit for lock keys.</li>
 * </ul>
 *
 * Hashed keys are injective as far as SHA-256 has no collisions; the bytes of two different names
 * differ, an unpaired surrogate included ({@link LockNames}). ({@code m} and {@code M} were the kinds
 * of such names before; no name has them now.)
 */
final class MemcachedKeys {
    static final int MAX_KEY_BYTES = 250;
    private static final int MAX_LOCK_KEY_BYTES = MAX_KEY_BYTES - 1;
    /** Kept as they are in a key; every other byte is escaped. */
    private static final String UNRESERVED = "-._~/";
    private static final HexFormat HEX = HexFormat.of();

    private final String namespace;

    MemcachedKeys(String namespace) {
        this.namespace = namespace;
    }

    /** The key of the lock named {@code name}. */
    String lockKey(String name) {
        byte[] bytes = LockNames.bytes(name);
        String prefix = namespace + ":l:";
        String escaped = LockNames.percentEncoded(bytes, UNRESERVED, MAX_LOCK_KEY_BYTES - prefix.length());
        return escaped != null ? prefix + escaped : namespace + ":L:" + HEX.formatHex(LockNames.sha256(bytes));
    }

    /** The key of the counter that issues the fencing tokens of {@code lockKey}. */
    String counterKey(String lockKey) {
        int kind = lockKey.lastIndexOf(':', lockKey.lastIndexOf(':') - 1) + 1;
        return lockKey.substring(0, kind) + "t" + lockKey.substring(kind);
    }

    /** True if memcached's text protocol accepts {@code key}: 1 to 250 bytes, no spaces or control characters. */
    static boolean isValidKey(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_BYTES) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }
}
